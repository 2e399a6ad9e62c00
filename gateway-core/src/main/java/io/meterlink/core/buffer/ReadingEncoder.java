package io.meterlink.core.buffer;

import io.meterlink.core.api.Reading;

/** Encodes one reading, with its gateway sequence number, into the payload object that is stored and later sent. */
@FunctionalInterface
public interface ReadingEncoder {
    byte[] encode(long seq, Reading reading);
}
