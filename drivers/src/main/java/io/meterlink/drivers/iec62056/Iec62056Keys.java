package io.meterlink.drivers.iec62056;

import java.util.Optional;
import java.nio.file.Path;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.obis.StreamKeys;
import io.meterlink.drivers.transport.LineKeys;

import java.time.Duration;
import java.util.List;

/** The keys of an optical readout source ({@code driver: iec62056-21}; details in docs/electricity.md). */
public final class Iec62056Keys {
    private Iec62056Keys() {
    }

    public static final ConfigKey<String> MODE = ConfigKey.choice("mode", "poll", List.of("poll", "d", "e"),
            "sign on to each meter (modes A–C; mode E meters by their data readout), listen to mode D pushes, or `e`: HDLC/DLMS sessions with mode E meters");
    public static final ConfigKey<Integer> BAUD = ConfigKey.integer("baud", 300, 300, 19200, "sign-on (mode `d`: line) speed")
            .defaultDescribed("`300` (mode `d`: `2400`)");
    static final int MODE_D_BAUD = 2400;
    public static final ConfigKey<Integer> MAX_BAUD = ConfigKey.integer("max_baud", 9600, 300, 19200,
            "highest speed accepted when the meter proposes a switch (modes C and E)");
    public static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration("poll_interval", Duration.ofMinutes(15),
            Duration.ofSeconds(1), Duration.ofDays(7), "how often each meter is read");
    public static final ConfigKey<Duration> RESPONSE_TIMEOUT = ConfigKey.duration("response_timeout", Duration.ofMillis(1500),
            Duration.ofMillis(200), Duration.ofSeconds(30), "longest wait for an answer and between its bytes");
    public static final ConfigKey<Integer> RETRIES = ConfigKey.integer("retries", 1, 0, 5, "repeats of an unanswered sign-on");
    public static final ConfigKey<Boolean> WAKE_UP = ConfigKey.bool("wake_up", false,
            "send the NUL wake-up sequence before each sign-on (battery meters)");
    public static final ConfigKey<String> FRAMING = StreamKeys.FRAMING.withDefault("7E1").withDoc("mode `d`: character format");
    public static final ConfigKey<Duration> FRAME_TIMEOUT = StreamKeys.FRAME_TIMEOUT.withDoc(
            "mode `d`: an incomplete readout is dropped after this long without a byte");
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]",
            "the meters on the line; none: one meter answering the empty address").defaultDescribed("one, empty address");
    public static final ConfigKey<String> ADDRESS = ConfigKey.required("meters[].address",
            "device address in `/?<address>!`: 1 to 32 letters, digits, spaces, '.', '_' or '-'");

    public static final ConfigKey<Optional<Secret>> PASSWORD = ConfigKey.secret("password",
            "meter password, sent in programming mode (P1), or in mode `e` as the low level security password of the AARQ; a secret, never logged").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> PASSWORD_FILE = ConfigKey.path("password_file",
            "instead of `password`: a file with the password on one line, readable by its owner only (0600)").defaultDescribed("none");
    public static final ConfigKey<List<String>> REGISTERS = ConfigKey.strings("registers",
            "with a password: the OBIS codes read one by one (R1) in programming mode").defaultDescribed("none");
    public static final ConfigKey<Duration> READOUT_DEADLINE = ConfigKey.duration("readout_deadline", Duration.ofSeconds(60),
            Duration.ofSeconds(5), Duration.ofHours(1),
            "overall deadline of a data message (or a programming mode answer) at least; longer when 16 KiB need more at the line's speed");
    public static final ConfigKey<Boolean> STRICT_TIMING = ConfigKey.bool("strict_timing", false,
            "refuse an identification that starts sooner than t_r (200 ms) after the request");

    public static final ConfigKey<List<String>> OBJECTS = ConfigKey.strings("objects",
            "mode `e`: the COSEM objects read, `[class/]A-B:C.D.E[*F]` (class 3 register unless the code says clock 8, data 1 or maximum demand 4)")
            .defaultDescribed("serial, clock, energy ±A total and T1/T2, power ±P, voltages and currents L1–L3");
    public static final ConfigKey<Integer> CLIENT_ADDRESS = ConfigKey.integer("client_address", 16, 1, 127,
            "mode `e`: the client SAP (16 public client; a password usually needs another, e.g. 17 or 32)");
    public static final ConfigKey<Integer> SERVER_ADDRESS = ConfigKey.integer("server_address", 1, 0, 16383,
            "mode `e`: the meter's upper HDLC address (logical device; 1 the management logical device)");
    public static final ConfigKey<Integer> PHYSICAL_ADDRESS = ConfigKey.integer("physical_address", null, 0, 16383,
            "mode `e`: the meter's lower HDLC address (physical device); without it the server address is one byte")
            .defaultDescribed("none");
    public static final ConfigKey<Integer> MAX_INFO = ConfigKey.integer("max_info", 128, 32, 2030,
            "mode `e`: the HDLC information field length proposed in SNRM (the meter's UA may lower it)");

    public static final KeyGroup GROUP = KeyGroup.of("iec62056-21", "", MODE, LineKeys.TRANSPORT, LineKeys.PORT, LineKeys.HOST,
            LineKeys.TCP_PORT, BAUD, MAX_BAUD, POLL_INTERVAL, RESPONSE_TIMEOUT, RETRIES, WAKE_UP, FRAMING, FRAME_TIMEOUT,
            LineKeys.TIME_ZONE, METERS, ADDRESS, PASSWORD, PASSWORD_FILE, REGISTERS, STRICT_TIMING, READOUT_DEADLINE, OBJECTS,
            CLIENT_ADDRESS, SERVER_ADDRESS, PHYSICAL_ADDRESS, MAX_INFO);
}
