package io.meterlink.simfixture.sim.scenario;

import io.meterlink.simfixture.sim.bench.Gateway;

/** A scenario part that names a benchmark part: the other half of the cycle bench ↔ scenario. */
public final class Pty {
    public Gateway gateway() {
        return null;
    }
}
