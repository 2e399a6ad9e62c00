package io.meterlink.drivers.mbus;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.transport.LineKeys;

import java.time.Duration;
import java.util.List;

/** The keys of a wired M-Bus source ({@code driver: mbus}; the gateway is the master). */
public final class MbusKeys {
    private MbusKeys() {
    }

    public static final ConfigKey<String> TRANSPORT = LineKeys.TRANSPORT.withDoc(
            "an M-Bus level converter on a serial port, or an M-Bus-to-Ethernet converter (raw TCP, ser2net style)");
    public static final ConfigKey<String> PORT = LineKeys.PORT.withDoc("e.g. `/dev/ttyUSB0` (8E1)");
    public static final ConfigKey<Integer> BAUD = ConfigKey.integer("baud", 2400, 300, 9600,
            "line speed (with tcp, the converter's line speed)").describedAs("`300`, `2400`, `9600`");
    public static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration("poll_interval", Duration.ofMinutes(15),
            Duration.ofSeconds(1), Duration.ofDays(7), "how often each meter is read");
    public static final ConfigKey<Integer> TIMEOUT_MS = ConfigKey.integer("timeout_ms", 1000, 10, 60_000, "answer timeout")
            .defaultDescribed("330 bit times + 50 ms (serial), 1000 (tcp)");
    public static final ConfigKey<Integer> RETRIES = ConfigKey.integer("retries", 2, 0, 5, "repeats of an unanswered request");
    public static final ConfigKey<String> TIME_ZONE = LineKeys.TIME_ZONE.withDoc(
            "the zone of the meters' clocks (M-Bus dates carry no zone); the simulator's meters default to UTC too");
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the meters of the line, at least one")
            .defaultDescribed("required");
    public static final ConfigKey<Integer> ADDRESS = ConfigKey.integer("meters[].address", null, 0, 250, "primary address")
            .defaultDescribed("required, or `secondary`");
    public static final ConfigKey<String> SECONDARY = ConfigKey.text("meters[].secondary", null,
            "secondary address, 8 digits, wildcards `F`/`*` allowed (EN 13757-3 §11), instead of `address`").defaultDescribed("none");
    public static final ConfigKey<String> MANUFACTURER = ConfigKey.text("meters[].manufacturer", null,
            "with `secondary`: the manufacturer code to select (e.g. `KAM`)").defaultDescribed("any");
    public static final ConfigKey<Integer> VERSION = ConfigKey.integer("meters[].version", null, 0, 255,
            "with `secondary`: the version to select").defaultDescribed("any");
    public static final ConfigKey<Integer> MEDIUM = ConfigKey.integer("meters[].medium", null, 0, 255,
            "with `secondary`: the medium to select (EN 13757-3 Table 3)").defaultDescribed("any");
    public static final ConfigKey<String> NAME = ConfigKey.text("meters[].name", null, "a label for logs").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("mbus", "", TRANSPORT, PORT, BAUD, LineKeys.HOST, LineKeys.TCP_PORT,
            POLL_INTERVAL, TIMEOUT_MS, RETRIES, TIME_ZONE, METERS, ADDRESS, SECONDARY, MANUFACTURER, VERSION, MEDIUM, NAME);
}
