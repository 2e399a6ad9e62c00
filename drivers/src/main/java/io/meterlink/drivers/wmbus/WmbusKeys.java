package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.transport.LineKeys;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The keys of a wireless M-Bus source ({@code driver: wmbus}; details in docs/wmbus.md). */
public final class WmbusKeys {
    private WmbusKeys() {
    }

    public static final ConfigKey<String> TRANSPORT = LineKeys.TRANSPORT.withDoc(
            "the dongle on a serial port, or reached over raw TCP");
    public static final ConfigKey<String> DONGLE = ConfigKey.choice("dongle", "im871a", List.of("im871a", "iu891a", "amb8465", "cul", "hexlines"),
            "the receiver: iM871A, iU891A/iM891A (SLIP HCI), AMB8465, a CUL stick (culfw), or hex lines of whole telegrams");
    public static final ConfigKey<String> MODE = ConfigKey.choice("mode", "t1", List.of("t1", "c1", "s1"),
            "the radio mode the dongle is set to");
    public static final ConfigKey<Integer> BAUD = ConfigKey.integer("baud", 57600, 300, 921600, "line speed")
            .defaultDescribed("`im871a` 57600, `iu891a` 115200, `amb8465` 9600, `cul` 38400, `hexlines` 115200");
    public static final ConfigKey<Boolean> AMB_RSSI = ConfigKey.bool("amb_rssi", true,
            "`amb8465`: the stick appends an RSSI byte (its RSSI_Enable parameter)");
    public static final ConfigKey<Boolean> ACCEPT_UNKNOWN = ConfigKey.bool("accept_unknown", true,
            "store unencrypted telegrams of meters not listed under `meters`");
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the known meters and their keys").defaultDescribed("none");
    public static final ConfigKey<String> ID = ConfigKey.required("meters[].id", "the meter's 8-digit identification number");
    public static final ConfigKey<String> MANUFACTURER = ConfigKey.text("meters[].manufacturer", null,
            "a three-letter manufacturer code to match as well (e.g. `KAM`)").defaultDescribed("any");
    public static final ConfigKey<Optional<Secret>> KEY = ConfigKey.secret("meters[].key",
            "the meter's AES-128 key, 32 hex digits (16 for a DES key, security mode 2); a secret, never logged").defaultDescribed("none (unencrypted)");

    public static final ConfigKey<Optional<Path>> DRIVER_DIR = ConfigKey.path("driver_dir",
            "a directory of our YAML driver files (docs/wmbus.md, \"Driver files\"), used ahead of the built-in ones").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("wmbus", "", TRANSPORT, LineKeys.PORT, LineKeys.HOST, LineKeys.TCP_PORT,
            DONGLE, MODE, BAUD, AMB_RSSI, LineKeys.TIME_ZONE, ACCEPT_UNKNOWN, DRIVER_DIR, METERS, ID, MANUFACTURER, KEY);
}
