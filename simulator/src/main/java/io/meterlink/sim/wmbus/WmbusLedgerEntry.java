package io.meterlink.sim.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.util.List;

/**
 * One telegram a virtual wireless meter sent: the readings a correct gateway must decode from it
 * ({@code receivedAt} holds the generation time; RSSI as the dongle reports it). Immutable.
 *
 * @param meter        {@code wmbus:<MAN>:<id>}
 * @param generatedAt  simulator clock when the telegram was built
 * @param accessNumber the telegram's access number
 * @param frame        the frame without CRCs, L first
 */
public record WmbusLedgerEntry(MeterId meter, Instant generatedAt, int accessNumber, List<Reading> readings, byte[] frame) {
    public WmbusLedgerEntry {
        readings = List.copyOf(readings);
        frame = frame.clone();
    }

    @Override public byte[] frame() { return frame.clone(); }
}
