package io.meterlink.archfixture.provisioning;

import io.meterlink.archfixture.sim.BadSim;

/** Breaks "no gateway module depends on the simulator". */
public final class BadProvisioning {
    public BadSim bench() {
        return new BadSim();
    }
}
