package io.meterlink.sim.mbus;

import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.util.List;

/**
 * What a virtual slave generated for one answered telegram: the readings a correct gateway must
 * decode from it (receivedAt holds the generation time). Immutable.
 *
 * @param address     primary address of the slave
 * @param generatedAt simulator clock when the telegram was built
 * @param telegram    0-based index within a multi-telegram readout
 * @param frame       the frame's bytes as sent
 */
public record LedgerEntry(int address, Instant generatedAt, int telegram, List<Reading> readings, byte[] frame) {
    public LedgerEntry {
        readings = List.copyOf(readings);
        frame = frame.clone();
    }

    @Override public byte[] frame() { return frame.clone(); }
}
