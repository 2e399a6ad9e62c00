package io.meterlink.simfixture.sim.model;

import io.meterlink.simfixture.sim.faults.Noise;

/** model → faults, the second step of the cycle mbus → model → faults → mbus. */
public final class Model {
    public Noise noise() {
        return null;
    }
}
