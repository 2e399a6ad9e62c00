package io.meterlink.simfixture.sim.faults;

import io.meterlink.simfixture.sim.mbus.Slave;

/** faults → mbus, closing the cycle mbus → model → faults → mbus. */
public final class Noise {
    public Slave slave() {
        return null;
    }
}
