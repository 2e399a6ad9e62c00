package io.meterlink.simfixture.sim.bench;

import io.meterlink.simfixture.sim.scenario.Pty;

/** A benchmark part that names a scenario part: one half of the cycle bench ↔ scenario. */
public final class Gateway {
    public Pty line() {
        return null;
    }
}
