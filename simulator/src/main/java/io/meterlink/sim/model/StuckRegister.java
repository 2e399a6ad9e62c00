package io.meterlink.sim.model;

import java.time.Instant;

/**
 * A stuck register: from {@code from} on the volume total stays at its value at {@code from} and
 * the flow reads 0, while the meter keeps answering and its clock keeps running. Immutable.
 */
public record StuckRegister(MeterModel base, Instant from) implements MeterModel {
    @Override
    public Registers at(Instant t) {
        Registers b = base.at(t);
        if (t.isBefore(from)) return b;
        return b.withVolume(base.at(from).volumeLitres(), 0);
    }

    @Override public boolean answers(Instant t) { return base.answers(t); }

    @Override public boolean totalMayFall() { return base.totalMayFall(); }

    @Override public String name() { return "stuck"; }
}
