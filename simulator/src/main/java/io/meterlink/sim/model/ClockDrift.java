package io.meterlink.sim.model;

import java.time.Duration;
import java.time.Instant;

/**
 * Clock drift: the meter's clock runs {@code ppm} parts per million fast (negative: slow), so its
 * offset from true time grows linearly from zero at {@code reference}: {@code offset = (t - reference) × ppm / 10^6}.
 * 500 ppm is about 43 s a day. Registers are otherwise the base model's. Immutable.
 */
public record ClockDrift(MeterModel base, Instant reference, double ppm) implements MeterModel {
    @Override
    public Registers at(Instant t) {
        Registers b = base.at(t);
        return b.withMeterTime(b.meterTime().plus(offset(t)));
    }

    /** How far the meter's clock is ahead of true time at {@code t} (negative: behind). */
    public Duration offset(Instant t) {
        double ms = Duration.between(reference, t).toMillis() * ppm / 1_000_000d;
        return Duration.ofMillis(Math.round(ms));
    }

    @Override public boolean answers(Instant t) { return base.answers(t); }

    @Override public boolean totalMayFall() { return base.totalMayFall(); }

    @Override public String name() { return "drift"; }
}
