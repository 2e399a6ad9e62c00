package io.meterlink.archfixture.core.uplink.internal;

/** An uplink implementation detail that the fixture's CLI wrongly names. */
public final class Session {
    public void open() {
    }
}
