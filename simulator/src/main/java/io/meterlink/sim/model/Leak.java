package io.meterlink.sim.model;

import java.time.Instant;

/**
 * A leak: a constant extra flow from {@code from} on, day and night, on top of a base model. It is
 * what shows at night, when the household profile is at zero. Immutable.
 */
public record Leak(MeterModel base, Instant from, long litresPerHour) implements MeterModel {
    public Leak {
        if (litresPerHour < 0) throw new IllegalArgumentException("leak flow >= 0");
    }

    @Override
    public Registers at(Instant t) {
        Registers b = base.at(t);
        long ms = DailyProfile.overlapMs(from, null, t);
        if (ms == 0) return b;
        return b.withVolume(b.volumeLitres() + litresPerHour * ms / 3_600_000L, b.flowLitresPerHour() + litresPerHour);
    }

    @Override public boolean answers(Instant t) { return base.answers(t); }

    @Override public boolean totalMayFall() { return base.totalMayFall(); }

    @Override public String name() { return "leak"; }
}
