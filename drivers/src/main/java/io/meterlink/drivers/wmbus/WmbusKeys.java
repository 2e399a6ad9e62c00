package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.transport.LineKeys;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

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
            "the meter's AES-128 key, 32 hex digits (a security mode 2 meter's DES key: `des:` and 16 hex digits); a secret, never logged")
            .defaultDescribed("none (unencrypted)");

    private static final Pattern AES_KEY = Pattern.compile("[0-9A-Fa-f]{32}");
    private static final Pattern DES_KEY = Pattern.compile("des:[0-9A-Fa-f]{16}", Pattern.CASE_INSENSITIVE);
    private static final Pattern HALF_KEY = Pattern.compile("[0-9A-Fa-f]{16}");

    /**
     * A meter key as written in the configuration, {@code --key} or a keys file, checked against its use:
     * 32 hex digits are an AES-128 key (security modes 5, 7, 10, ELL); a DES key (security mode 2 only)
     * must be declared as such, {@code des:} and 16 hex digits, so that half an AES key pasted by mistake
     * is refused here rather than counted as {@code wrong_key} on every telegram.
     *
     * @return the key's hex digits (without {@code des:})
     * @throws IllegalArgumentException naming what is wrong; the message never holds the key
     */
    static Secret meterKey(Secret written) {
        String text = new String(written.reveal()).strip();
        if (AES_KEY.matcher(text).matches()) return Secret.of(text);
        if (DES_KEY.matcher(text).matches()) return Secret.of(text.substring(4));
        if (HALF_KEY.matcher(text).matches()) {
            throw new IllegalArgumentException("16 hex digits: an AES-128 key has 32; a security mode 2 meter's DES key is written"
                    + " des: and its 16 hex digits");
        }
        throw new IllegalArgumentException("must be 32 hex digits (AES-128), or des: and 16 hex digits (DES, security mode 2 meters only)");
    }

    public static final ConfigKey<Optional<Path>> DRIVER_DIR = ConfigKey.path("driver_dir",
            "a directory of our YAML driver files (docs/wmbus.md, \"Driver files\"), used ahead of the built-in ones").defaultDescribed("none");

    public static final KeyGroup GROUP = KeyGroup.of("wmbus", "", TRANSPORT, LineKeys.PORT, LineKeys.HOST, LineKeys.TCP_PORT,
            DONGLE, MODE, BAUD, AMB_RSSI, LineKeys.TIME_ZONE, ACCEPT_UNKNOWN, DRIVER_DIR, METERS, ID, MANUFACTURER, KEY);
}
