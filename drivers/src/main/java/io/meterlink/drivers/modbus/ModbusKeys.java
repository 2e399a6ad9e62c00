package io.meterlink.drivers.modbus;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.transport.LineKeys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The keys of a Modbus source ({@code driver: modbus}; the gateway is the client/master). */
public final class ModbusKeys {
    private ModbusKeys() {
    }

    /** Modbus serial line v1.02 §2.2: individual slave addresses on a serial line. */
    public static final int SERIAL_UNIT_MIN = 1;
    public static final int SERIAL_UNIT_MAX = 247;

    public static final ConfigKey<String> TRANSPORT = LineKeys.TRANSPORT.withDoc("the line: a serial port, or a TCP socket");
    public static final ConfigKey<String> FRAMING = ConfigKey.choice("framing", "rtu", List.of("rtu", "tcp"),
            "`rtu` over `tcp` = RTU frames to a serial server (RTU over TCP); `tcp` = Modbus TCP (MBAP)")
            .defaultDescribed("`rtu` (serial), `tcp` (tcp)");
    public static final ConfigKey<Integer> BAUD = ConfigKey.integer("baud", 9600, 300, 921_600,
            "line speed; with RTU over TCP the serial server's, for timing");
    public static final ConfigKey<String> PARITY = ConfigKey.choice("parity", "even", List.of("even", "none", "odd"),
            "character parity, 8 data bits (Modbus serial line §2.5.1: even is the default)");
    public static final ConfigKey<Integer> STOP_BITS = ConfigKey.integer("stop_bits", 1, 1, 2,
            "stop bits (the spec asks for 2 without parity)");
    public static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration("poll_interval", Duration.ofMinutes(1),
            Duration.ofMillis(100), Duration.ofDays(1), "time between the starts of two poll cycles");
    public static final ConfigKey<Integer> TIMEOUT_MS = ConfigKey.integer("timeout_ms", 1000, 10, 60_000,
            "response timeout (wait for the first byte of an answer)");
    public static final ConfigKey<Integer> RETRIES = ConfigKey.integer("retries", 2, 0, 5,
            "repeats of a request that got no usable answer");
    public static final ConfigKey<Optional<Path>> PROFILE_DIR = ConfigKey.path("profile_dir",
            "more profiles, one `NAME.yaml` each; a name shipped in the jar is overridden").describedAs("directory")
            .defaultDescribed("none");
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the slaves of the line, at least one")
            .defaultDescribed("required");
    public static final ConfigKey<Integer> UNIT = ConfigKey.integer("meters[].unit", null, 0, 255,
            "slave id, unique on the line: " + SERIAL_UNIT_MIN + "–" + SERIAL_UNIT_MAX + " with RTU framing, 0–255 with Modbus TCP")
            .defaultDescribed("required");
    public static final ConfigKey<String> PROFILE = ConfigKey.required("meters[].profile",
            "a shipped profile or one from `profile_dir`").describedAs("name");
    public static final ConfigKey<String> ID = ConfigKey.text("meters[].id", null,
            "the id part of the meter id `modbus:<profile manufacturer>:<id>`").defaultDescribed("`SOURCE.UNIT`");
    public static final ConfigKey<String> NAME = ConfigKey.text("meters[].name", null, "a label for logs").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("modbus", "", TRANSPORT, FRAMING, LineKeys.PORT, LineKeys.HOST,
            LineKeys.TCP_PORT, BAUD, PARITY, STOP_BITS, POLL_INTERVAL, TIMEOUT_MS, RETRIES, PROFILE_DIR, METERS, UNIT, PROFILE, ID, NAME);
}
