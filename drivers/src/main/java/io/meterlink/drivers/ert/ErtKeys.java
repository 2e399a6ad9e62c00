package io.meterlink.drivers.ert;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.drivers.transport.LineKeys;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The keys of the 900 MHz utility radio sources: {@code driver: ert} (rtl_tcp) and {@code driver: rtlamr}; docs/ert.md. */
public final class ErtKeys {
    private ErtKeys() {
    }

    public static final ConfigKey<String> HOST = ConfigKey.text("host", "127.0.0.1", "the `rtl_tcp` server");
    public static final ConfigKey<Integer> TCP_PORT = ConfigKey.integer("tcp_port", 1234, 1, 65535, "the `rtl_tcp` server's port");
    public static final ConfigKey<List<String>> RTL_TCP_COMMAND = ConfigKey.strings("rtl_tcp_command",
            "run `rtl_tcp` as the driver's child process (started when the line opens, restarted after `restart_after` stalls), e.g. `[rtl_tcp, -a, 127.0.0.1, -p, \"1234\"]`")
            .defaultDescribed("none");
    public static final ConfigKey<Long> FREQUENCY = ConfigKey.longValue("frequency", 912_600_155L, 24_000_000L, 1_766_000_000L,
            "centre frequency sent to rtl_tcp, Hz");
    public static final ConfigKey<Long> SAMPLE_RATE = ConfigKey.longValue("sample_rate", ErtFrameDecoder.DEFAULT_SAMPLE_RATE,
            32_768L * ErtDemodulator.MIN_CHIP_LENGTH, 32_768L * ErtDemodulator.MAX_CHIP_LENGTH,
            "samples/s, a multiple of 32768 (4–256 samples per chip; the default is 72 samples per 32,768 chips/s)");
    public static final ConfigKey<String> GAIN = ConfigKey.text("gain", "auto", "tuner gain")
            .describedAs("`auto` or tenths of a dB, 0–600");
    public static final ConfigKey<Integer> PPM = ConfigKey.integer("ppm", 0, -1000, 1000, "frequency correction");
    public static final ConfigKey<List<String>> PROTOCOLS = ConfigKey.strings("protocols",
            "packets to decode: `scm`, `scm+`, `idm`, `netidm`, `r900`, `r900bcd`; `netidm` / `r900bcd` read the IDM / R900 framing the other way")
            .withDefault(List.of("scm", "scm+", "idm", "r900"));
    public static final ConfigKey<Duration> STALL_TIMEOUT = ConfigKey.duration("stall_timeout", Duration.ofSeconds(5),
            Duration.ofMillis(500), Duration.ofMinutes(10),
            "no samples, or samples of constant amplitude, this long = a stalled stream: `stalled: …` transport error, the line is reopened");
    public static final ConfigKey<Integer> RESTART_AFTER = ConfigKey.integer("restart_after", 2, 1, 100,
            "stalls in a row after which the `rtl_tcp_command` child is restarted (`rtl_tcp restarted`)");

    // the reading mapping, shared with rtlamr (ErtMappingSettings)
    public static final ConfigKey<Duration> DEDUP_WINDOW = ConfigKey.duration("dedup_window", Duration.ofSeconds(60),
            Duration.ZERO, Duration.ofHours(24),
            "a packet with the same meter id, protocol, consumption and interval count within this window is a repeat and dropped");
    public static final ConfigKey<Settings> MULTIPLIERS = ConfigKey.section("multipliers", "register unit → Wh (electric) or m3 (gas, water)");
    /** {@code multipliers.<commodity>}: a positive decimal. */
    public static final Map<ErtTypes.Commodity, ConfigKey<String>> MULTIPLIER = multipliers();
    public static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "meters with a multiplier of their own")
            .defaultDescribed("none");
    public static final ConfigKey<String> METER_ID = ConfigKey.required("meters[].id", "`ert:<ERT type>:<id>` or `ert:r900:<id>`");
    public static final ConfigKey<String> METER_MULTIPLIER = ConfigKey.text("meters[].multiplier", "1",
            "the meter's own multiplier, a positive decimal").describedAs("decimal");

    // rtlamr
    public static final ConfigKey<String> RTLAMR_TRANSPORT = ConfigKey.choice("transport", "command", List.of("command", "tcp"),
            "rtlamr as a child process, or a TCP stream of its JSON lines");
    public static final ConfigKey<List<String>> RTLAMR_COMMAND = ConfigKey.strings("command",
            "e.g. `[rtlamr, -format=json, -server=127.0.0.1:1234]`").defaultDescribed("required for command");

    private static Map<ErtTypes.Commodity, ConfigKey<String>> multipliers() {
        Map<ErtTypes.Commodity, ConfigKey<String>> out = new EnumMap<>(ErtTypes.Commodity.class);
        for (ErtTypes.Commodity c : ErtTypes.Commodity.values()) {
            out.put(c, ConfigKey.text("multipliers." + c.wireName(), c == ErtTypes.Commodity.ELECTRIC ? "1000" : "1",
                    "register unit → " + (c == ErtTypes.Commodity.ELECTRIC ? "Wh" : "m3") + " for " + c.wireName()
                            + " meters, a positive decimal").describedAs("decimal"));
        }
        return out;
    }

    private static List<ConfigKey<?>> mapping() {
        List<ConfigKey<?>> out = new java.util.ArrayList<>(List.of(DEDUP_WINDOW));
        out.addAll(MULTIPLIER.values());
        out.addAll(List.of(METERS, METER_ID, METER_MULTIPLIER));
        return out;
    }

    public static final KeyGroup ERT = new KeyGroup("ert", "", concat(List.of(HOST, TCP_PORT, RTL_TCP_COMMAND, FREQUENCY,
            SAMPLE_RATE, GAIN, PPM, PROTOCOLS, STALL_TIMEOUT, RESTART_AFTER), mapping()));
    public static final KeyGroup RTLAMR = new KeyGroup("rtlamr", "", concat(List.of(RTLAMR_TRANSPORT, RTLAMR_COMMAND,
            LineKeys.HOST, LineKeys.TCP_PORT), mapping()));

    private static List<ConfigKey<?>> concat(List<ConfigKey<?>> a, List<ConfigKey<?>> b) {
        List<ConfigKey<?>> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
