package io.meterlink.archfixture.sim;

import io.meterlink.archfixture.core.uplink.internal.Session;

/** Breaks "the simulator depends on no internal package" (and, with it, "only the uplink reaches its internals"). */
public final class BadSim {
    public void drive(Session session) {
        session.open();
    }
}
