package io.meterlink.sim.model;

import java.time.Instant;

/** A meter that goes silent: from {@code from} on it never answers or transmits again (its registers still move). Immutable. */
public record SilentFrom(MeterModel base, Instant from) implements MeterModel {
    @Override public Registers at(Instant t) { return base.at(t); }

    @Override public boolean answers(Instant t) { return t.isBefore(from) && base.answers(t); }

    @Override public boolean totalMayFall() { return base.totalMayFall(); }

    @Override public String name() { return "silent"; }
}
