package io.meterlink.archfixture.cli;

import io.meterlink.archfixture.core.uplink.internal.Session;
import io.meterlink.archfixture.drivers.bad.BadDriver;

/** Breaks "the CLI depends on no driver package" and "only the uplink reaches its internals". */
public final class BadCli {
    public BadDriver driver() {
        return new BadDriver();
    }

    public void connect(Session session) {
        session.open();
    }
}
