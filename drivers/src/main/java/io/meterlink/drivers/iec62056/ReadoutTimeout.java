package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;

/**
 * A sign-on or readout message that did not end within its deadline (see {@link Iec62056Driver}): a meter
 * whose bytes trickle in, each just inside the response timeout, or never end. Counted as truncated input,
 * like an HDLC frame's timeout; the poll goes on with its retries and the next meter.
 */
final class ReadoutTimeout extends DecodeException {
    ReadoutTimeout(String what, long budgetNanos) {
        super(Kind.TRUNCATED, "iec62056-21 timeout: no whole " + what + " within " + budgetNanos / 1_000_000 + " ms (the bytes trickle in too slowly)");
    }
}
