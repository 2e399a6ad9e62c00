package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;

/**
 * The end of a telegram that could not be decoded: from the first record that broke (truncated, a
 * reserved coding whose length is unknown, more than 10 extensions) to the last byte. The records
 * before it are decoded as usual and kept; nothing is guessed from these bytes. Immutable.
 *
 * @param kind   why the record could not be decoded (counted like a refused frame)
 * @param reason what the parser found, e.g. {@code record data truncated: need 4 bytes, 2 left}
 * @param hex    the undecoded bytes, upper-case hex, as sent
 */
public record UndecodedTail(DecodeException.Kind kind, String reason, String hex) {
    /** The typed error to count for this tail, naming {@code meter} when known. */
    public DecodeException toException(String meter) {
        return new DecodeException(kind, "records after the last good one left undecoded: " + reason, meter, null);
    }
}
