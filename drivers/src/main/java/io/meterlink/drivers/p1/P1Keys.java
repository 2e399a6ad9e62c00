package io.meterlink.drivers.p1;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;
import io.meterlink.drivers.obis.StreamKeys;
import io.meterlink.drivers.transport.LineKeys;

import java.nio.file.Path;
import java.util.Optional;

/** The keys of a DSMR P1 source ({@code driver: p1}; details in docs/electricity.md). */
public final class P1Keys {
    private P1Keys() {
    }

    public static final ConfigKey<Integer> BAUD = StreamKeys.BAUD.withDefault(115200)
            .withDoc("line speed: 115200 (DSMR 4/5) or 9600 (DSMR 2.2/3)");
    public static final ConfigKey<String> FRAMING = StreamKeys.FRAMING.defaultDescribed("`7E1` at 9600 baud, else `8N1`");
    public static final ConfigKey<Optional<Secret>> KEY = ConfigKey.secret("key",
            "encrypted P1: the encryption key, 32 hex digits; never logged").defaultDescribed("none (plain P1)");
    public static final ConfigKey<Optional<Secret>> AUTH_KEY = ConfigKey.secret("auth_key",
            "encrypted P1: the authentication key, 32 hex digits; never logged").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> KEY_FILE = ConfigKey.path("key_file",
            "instead of `key`/`auth_key`: a file with the key on line 1 and the authentication key on line 2, readable by its owner only (0600)").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("p1", "", LineKeys.TRANSPORT, LineKeys.PORT, LineKeys.HOST,
            LineKeys.TCP_PORT, BAUD, FRAMING, StreamKeys.FRAME_TIMEOUT, LineKeys.TIME_ZONE, KEY, AUTH_KEY, KEY_FILE);
}
