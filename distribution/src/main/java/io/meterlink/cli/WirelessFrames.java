package io.meterlink.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.driver.DecodeException;

/** Decodes one wireless M-Bus frame into the {@code meterlink decode} JSON shape. */
interface WirelessFrames {
    ObjectNode decode(byte[] frame) throws DecodeException;

    /** Used until the wireless decoder is available. */
    static WirelessFrames unavailable() {
        return frame -> {
            throw new DecodeException(DecodeException.Kind.UNSUPPORTED, "wireless decoding not available");
        };
    }
}
