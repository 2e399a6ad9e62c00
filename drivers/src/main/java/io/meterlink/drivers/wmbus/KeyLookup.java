package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;

import java.util.Map;
import java.util.Optional;

/**
 * Where the decoder finds a meter's AES-128 key. Implementations must be thread-safe when shared
 * between threads; the keys are never logged.
 */
@FunctionalInterface
public interface KeyLookup {
    /**
     * The key of one meter.
     *
     * @param manufacturer three-letter manufacturer code (FLAG), e.g. {@code KAM}
     * @param id           identification number, 8 digits as printed on the meter
     * @return the 16-byte key, or empty when none is configured
     */
    Optional<byte[]> key(String manufacturer, String id);

    /** No keys at all: encrypted telegrams give {@code NO_KEY}. */
    static KeyLookup none() { return (m, id) -> Optional.empty(); }

    /** The same key for every meter (as {@code meterlink decode --key HEX} does). */
    static KeyLookup always(Secret hexKey) {
        byte[] key = hexKey.revealHex();
        return (m, id) -> Optional.of(key.clone());
    }

    /** Keys by 8-digit meter id. */
    static KeyLookup byId(Map<String, Secret> keys) {
        Map<String, byte[]> bytes = new java.util.HashMap<>();
        keys.forEach((id, key) -> bytes.put(id, key.revealHex())); // parsed once, not per telegram
        return (m, id) -> Optional.ofNullable(bytes.get(id)).map(byte[]::clone);
    }
}
