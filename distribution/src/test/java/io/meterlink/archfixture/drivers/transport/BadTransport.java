package io.meterlink.archfixture.drivers.transport;

import io.meterlink.archfixture.drivers.bad.BadDriver;

/** Breaks "drivers.transport and drivers.crc depend on no driver family". */
public final class BadTransport {
    public BadDriver family() {
        return new BadDriver();
    }
}
