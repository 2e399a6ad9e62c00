package io.meterlink.archfixture.core.uplink;

/** An uplink that the fixture's buffer wrongly names. */
public final class Uplink {
    public void wake() {
    }
}
