package io.meterlink.sim.model;

import java.time.Duration;
import java.time.Instant;

/**
 * Reverse flow: during {@code [from, from + length)} water flows back through the meter at
 * {@code litresPerHour} and the single volume register runs BACKWARDS (it decreases, never below 0);
 * the flow register reads negative meanwhile. There is no separate reverse register (our readings
 * carry no flow direction). {@link #totalMayFall()} is true. Immutable.
 */
public record ReverseFlow(MeterModel base, Instant from, Duration length, long litresPerHour) implements MeterModel {
    public ReverseFlow {
        if (litresPerHour < 0 || length.isNegative()) throw new IllegalArgumentException("reverse flow and length >= 0");
    }

    @Override
    public Registers at(Instant t) {
        Registers b = base.at(t);
        long ms = DailyProfile.overlapMs(from, length, t);
        if (ms == 0) return b;
        boolean flowing = t.isBefore(from.plus(length));
        long back = litresPerHour * ms / 3_600_000L;
        return b.withVolume(Math.max(0, b.volumeLitres() - back), flowing ? b.flowLitresPerHour() - litresPerHour : b.flowLitresPerHour());
    }

    @Override public boolean answers(Instant t) { return base.answers(t); }

    @Override public boolean totalMayFall() { return true; }

    @Override public String name() { return "reverse"; }
}
