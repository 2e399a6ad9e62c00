package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;

/**
 * Cuts the byte stream of a radio dongle into {@link RadioFrame}s: handles partial input, resyncs
 * after garbage, checks the dongle's own checksums. Not thread-safe: one reader thread.
 */
public interface DongleFramer {
    /** Largest amount of unframed input kept; beyond it the oldest bytes are dropped. */
    int MAX_BUFFER = 4096;

    /** Appends received bytes. */
    void feed(byte[] bytes, int length);

    /**
     * The next whole radio frame, or {@code null} when more input is needed. Dongle messages that
     * carry no received frame (command responses) are skipped.
     *
     * @throws DecodeException for a damaged dongle message; it has been dropped, call again for the next
     */
    RadioFrame next() throws DecodeException;

    /**
     * The line stayed quiet for a whole read timeout while a message was still incomplete. A dongle
     * sends each message in one burst, so the head of the buffer was a false start (noise holding a
     * start byte and a made-up length): drop that start byte so the bytes behind it are scanned again.
     * Call {@link #next()} afterwards.
     *
     * @return whether a false start was dropped
     */
    default boolean idle() { return false; }

    /** Bytes to send after opening the line to put the dongle into the wanted mode; empty when none. */
    default byte[] setupCommand() { return new byte[0]; }
}
