package io.meterlink.simfixture.sim.mbus;

import io.meterlink.simfixture.sim.model.Model;

/** mbus → model, the first step of the cycle mbus → model → faults → mbus. */
public final class Slave {
    public Model model() {
        return null;
    }
}
