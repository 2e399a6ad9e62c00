package io.meterlink.cli;

import io.meterlink.core.api.config.Secret;

import java.io.IOException;
import java.nio.file.Path;

/** Builds the wireless part of {@code meterlink decode} from the key options. */
final class WirelessDecoding {
    private WirelessDecoding() {}

    /**
     * @param key  one key for every meter, or {@code null}
     * @param file keys file ({@code <id> <32 hex>} per line), or {@code null}
     */
    static WirelessFrames create(FrameJson json, Secret key, Path file) throws IOException {
        return WirelessFrames.unavailable();
    }
}
