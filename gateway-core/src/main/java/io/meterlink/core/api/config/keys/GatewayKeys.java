package io.meterlink.core.api.config.keys;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The file's top-level keys and the keys every {@code sources[]} entry has, whatever its driver. */
public final class GatewayKeys {
    private GatewayKeys() {
    }

    public static final ConfigKey<String> GATEWAY_ID = ConfigKey.required("gateway_id",
            "`[A-Za-z0-9][A-Za-z0-9_.-]{0,63}`; also the MQTT topic level and, with client certificates, the certificate's CN");
    public static final ConfigKey<Optional<Path>> STATE_DIR = ConfigKey.path("state_dir",
            "where the buffer and its sidecar files live").defaultDescribed("`/var/lib/meterlink`");
    public static final ConfigKey<Settings> BUFFER = ConfigKey.section("buffer", "the buffer section");
    public static final ConfigKey<Settings> UPLINK = ConfigKey.section("uplink", "the uplink section");
    public static final ConfigKey<List<Settings>> SOURCES = ConfigKey.sections("sources[]", "where readings come from")
            .defaultDescribed("empty");
    public static final ConfigKey<String> SOURCE_NAME = ConfigKey.required("sources[].name",
            "the source's name in logs and status, unique: `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}`");
    public static final ConfigKey<String> SOURCE_DRIVER = ConfigKey.required("sources[].driver",
            "a driver found through `ServiceLoader` (tables below): `mbus`, `wmbus` ([docs/wmbus.md](docs/wmbus.md)), `p1`, `sml`, `iec62056-21` ([docs/electricity.md](docs/electricity.md)), `ert`, `rtlamr` ([docs/ert.md](docs/ert.md)), `modbus` ([docs/modbus.md](docs/modbus.md)), `pulse`, `coap` ([docs/pulse-coap.md](docs/pulse-coap.md))");
    public static final ConfigKey<Duration> SOURCE_EXPECTED_INTERVAL = ConfigKey.duration("sources[].expected_interval",
            Duration.ofMinutes(15), Duration.ofMillis(100), Duration.ofDays(7),
            "a meter not heard for three times this is reported stale");

    /** The top-level keys; {@code buffer} and {@code uplink} have their own groups. */
    public static final KeyGroup GROUP = KeyGroup.of("gateway", "", GATEWAY_ID, STATE_DIR);
    public static final KeyGroup SOURCES_GROUP = KeyGroup.of("gateway", "", SOURCES, SOURCE_NAME, SOURCE_DRIVER,
            SOURCE_EXPECTED_INTERVAL);

    /**
     * The groups of the file's own sections, in the order of the reference table; the sections other
     * modules declare (metrics, technician endpoint) follow through {@code ConfigSection#keys()}.
     */
    public static List<KeyGroup> groups() {
        return List.of(GROUP, BufferKeys.GROUP, UplinkKeys.GROUP, SOURCES_GROUP);
    }
}
