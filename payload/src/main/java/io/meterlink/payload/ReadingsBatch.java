package io.meterlink.payload;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One readings message: the gateway, when the batch was sent and its readings in ascending seq.
 * Immutable.
 */
public record ReadingsBatch(String gw, Instant sent, List<WireReading> readings) {
    public ReadingsBatch {
        Objects.requireNonNull(gw, "gw");
        Objects.requireNonNull(sent, "sent");
        readings = List.copyOf(readings);
        if (readings.isEmpty()) throw new IllegalArgumentException("empty batch");
    }

    /** {@code <first seq>-<last seq>}, the v1 {@code "batch"} field. */
    public String batchId() {
        return readings.get(0).seq() + "-" + readings.get(readings.size() - 1).seq();
    }
}
