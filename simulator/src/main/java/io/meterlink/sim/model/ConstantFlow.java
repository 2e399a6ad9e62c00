package io.meterlink.sim.model;

import java.time.Duration;
import java.time.Instant;

/**
 * A meter with a steady flow from {@code start}: the total rises linearly (before {@code start} it
 * shows {@code startLitres}). The behaviour of the original {@code VirtualMbusSlave}. Immutable.
 */
public record ConstantFlow(Instant start, long startLitres, long litresPerHour) implements MeterModel {
    public ConstantFlow {
        if (startLitres < 0 || litresPerHour < 0) throw new IllegalArgumentException("litres and flow must be >= 0");
    }

    @Override
    public Registers at(Instant t) {
        long ms = Math.max(0, Duration.between(start, t).toMillis());
        return new Registers(startLitres + litresPerHour * ms / 3_600_000L, litresPerHour, t);
    }

    @Override public String name() { return "constant"; }
}
