package io.meterlink.archfixture.cli;

import io.meterlink.archfixture.drivers.bad.BadDriver;

/** Breaks "the CLI depends on no driver package". */
public final class BadCli {
    public BadDriver driver() {
        return new BadDriver();
    }
}
