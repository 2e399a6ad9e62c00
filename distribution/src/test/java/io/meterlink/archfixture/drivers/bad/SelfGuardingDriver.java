package io.meterlink.archfixture.drivers.bad;

import io.meterlink.archfixture.core.api.driver.DecodeException;

/** Breaks "drivers leave decoder faults to the core's DecodeGuard" in {@code handle}; {@code refused} catches only the typed refusal. */
public final class SelfGuardingDriver {
    static int decode(byte[] frame) throws DecodeException {
        if (frame.length == 0) throw new DecodeException("empty");
        return frame[0];
    }

    public int handle(byte[] frame) {
        try {
            return decode(frame);
        } catch (DecodeException | RuntimeException e) {
            return -1;
        }
    }

    public int refused(byte[] frame) {
        try {
            return decode(frame);
        } catch (DecodeException e) {
            return -1;
        }
    }

    public int parsed(String text) {
        try {
            return Integer.parseInt(text);
        } catch (RuntimeException e) { // no decoder called: not this rule's business
            return -1;
        }
    }
}
