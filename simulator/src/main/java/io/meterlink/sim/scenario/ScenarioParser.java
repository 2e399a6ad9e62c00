package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.keys.BufferKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.core.api.config.YamlSettings;
import io.meterlink.drivers.modbus.ModbusKeys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Reads a scenario file (YAML, through the gateway's own {@link YamlSettings}, so that every error
 * names file, line and key, and unknown keys are errors). The format is documented in
 * {@code docs/simulator.md}. Stateless.
 */
public final class ScenarioParser {
    /** The gateway's {@code buffer.max_bytes}, passed on from the scenario's {@code gateway:} section (same bounds). */
    private static final ConfigKey<Long> BUFFER_MAX_BYTES = BufferKeys.MAX_BYTES.renamed("buffer_max_bytes");
    static final Set<String> PAYLOADS = Set.of("json", "compact");
    private static final Duration MAX_RUN = Duration.ofDays(7);
    private static final Set<String> BROKERS = Set.of("mosquitto", "embedded");
    private static final List<String> ERT_PROTOCOLS = List.of("scm", "scm+", "idm", "netidm", "r900", "r900bcd");
    private static final Set<String> PROTOCOLS = Set.of("mbus_tcp", "mbus_serial", "wmbus", "ert", "p1", "sml", "iec62056_21",
            "modbus_rtu", "modbus_tcp", "pulse", "coap");
    private static final Set<String> FAULTS = Set.of("broker_outage", "gateway_kill", "serial_garbage", "disk_full",
            "proxy_cut", "proxy_blackhole", "proxy_flap", "proxy_latency", "proxy_bandwidth", "radio_bad_frames", "mbus_late", "hostile_headend",
            "radio_stall", "fleet_ops", "coap_restart");
    private static final Set<String> KEYS = Set.of("none", "random");
    private static final long NO_BOUND = Long.MAX_VALUE;
    /** Wired M-Bus: primary addresses 1..250 on one line (EN 13757-2). */
    private static final int MAX_PER_MBUS_LINE = 250;
    private static final int MAX_PER_DONGLE = 10_000;
    private static final Set<Integer> BAUDS = Set.of(300, 2400, 9600);
    private static final long MAX_BACKLOG = 100_000_000L;
    /**
     * The doc of the scenario file's own keys, declared where they are read (their bounds often
     * depend on the group's protocol); docs/simulator.md documents them.
     */
    private static final String DOC = "a scenario key (docs/simulator.md)";

    /** Parses {@code file}. */
    public ScenarioSpec parse(Path file) throws ConfigException {
        return bind(YamlSettings.load(file));
    }

    /** Parses {@code text} as if read from {@code file} (tests). */
    public ScenarioSpec parse(Path file, String text) throws ConfigException {
        return bind(YamlFile.parse(file, text).root());
    }

    private ScenarioSpec bind(YamlSettings root) throws ConfigException {
        if (!root.errors().isEmpty()) throw new ConfigException(root.errors());
        String name = root.get(ConfigKey.required("name", DOC));
        Duration duration = root.get(ConfigKey.duration("duration", Duration.ofSeconds(60), Duration.ofSeconds(5), MAX_RUN, DOC));
        Duration drain = root.get(ConfigKey.duration("drain_timeout", Duration.ofSeconds(120), Duration.ofSeconds(5), MAX_RUN, DOC));
        long seed = root.get(ConfigKey.longValue("seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE, DOC));
        long backlog = root.get(ConfigKey.longValue("backlog", 0L, 0, MAX_BACKLOG, DOC));

        Settings b = root.section("broker");
        ScenarioSpec.BrokerKind broker = "embedded".equals(b.get(ConfigKey.choice("kind", "mosquitto", List.copyOf(BROKERS), DOC)))
                ? ScenarioSpec.BrokerKind.EMBEDDED : ScenarioSpec.BrokerKind.MOSQUITTO;
        b.finish();

        Settings g = root.section("gateway");
        ScenarioSpec.GatewaySpec gateway = new ScenarioSpec.GatewaySpec(
                g.has("jvm_args") ? g.get(ConfigKey.strings("jvm_args", DOC)) : List.of("-Xmx128m"),
                g.has(BUFFER_MAX_BYTES) ? g.get(BUFFER_MAX_BYTES) : 0,
                g.has(UplinkKeys.BATCH_MAX_READINGS) ? g.get(UplinkKeys.BATCH_MAX_READINGS) : 0,
                g.get(ConfigKey.duration("restart_after", Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(1), DOC)),
                g.get(ConfigKey.duration("kill_in_flight_window", Duration.ofSeconds(3), Duration.ZERO, Duration.ofMinutes(5), DOC)),
                g.get(UplinkKeys.BACKLOG_MAX_RATE),
                g.get(UplinkKeys.PAYLOAD));
        g.finish();

        List<ScenarioSpec.MeterGroup> meters = new ArrayList<>();
        List<Settings> meterSections = root.sections("meters");
        if (meterSections.isEmpty()) root.error("meters", "at least one group of meters is required");
        for (Settings m : meterSections) {
            String protocol = m.get(ConfigKey.choice("protocol", null, List.copyOf(PROTOCOLS), DOC));
            if (protocol == null && !m.has("protocol")) m.error("protocol", "required key is missing");
            int count = m.get(ConfigKey.integer("count", 1, 1, 100_000, DOC));
            Duration interval = m.get(ConfigKey.duration("interval", Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofDays(1), DOC));
            boolean wireless = "wmbus".equals(protocol);
            int perLine = m.get(ConfigKey.integer("per_line", 50, 1, wireless ? MAX_PER_DONGLE : MAX_PER_MBUS_LINE, DOC));
            String keys = m.get(ConfigKey.choice("keys", "none", List.copyOf(KEYS), DOC));
            int wrongKeys = m.get(ConfigKey.integer("wrong_keys", 0, 0, 100_000, DOC));
            boolean spread = m.get(ConfigKey.bool("spread", false, DOC));
            if (spread && !wireless) m.error("spread", "only wmbus meters transmit on their own; the gateway polls wired ones");
            Integer baudGiven = m.get(ConfigKey.integer("line_baud", null, 300, 9600, DOC));
            int lineBaud = baudGiven == null ? 0 : baudGiven;
            if (m.has("line_baud") && !BAUDS.contains(lineBaud)) m.error("line_baud", "must be 300, 2400 or 9600, got " + lineBaud);
            if (m.has("line_baud") && !"mbus_tcp".equals(protocol)) m.error("line_baud", "only for mbus_tcp (a serial line has its own speed)");
            boolean electricity = protocol != null && Set.of("p1", "sml", "iec62056_21").contains(protocol);
            boolean modbus = protocol != null && protocol.startsWith("modbus_");
            boolean pulse = "pulse".equals(protocol);
            Integer damageGiven = m.get(ConfigKey.integer("damage_every", null, modbus ? 2 : 0, 1_000_000, DOC));
            int damageEvery = damageGiven == null ? 0 : damageGiven;
            if (damageEvery > 0 && !electricity && !modbus && !pulse) m.error("damage_every", "only for p1, sml, iec62056_21, modbus and pulse meters");
            if (modbus && perLine > ModbusKeys.SERIAL_UNIT_MAX) m.error("per_line", "a Modbus line has at most " + ModbusKeys.SERIAL_UNIT_MAX + " slaves");
            double pulseRate = 0;
            if (m.has("pulse_rate") || "pulse".equals(protocol)) {
                String rate = m.get(ConfigKey.text("pulse_rate", "8", DOC));
                try {
                    pulseRate = Double.parseDouble(rate);
                } catch (NumberFormatException e) {
                    pulseRate = -1;
                }
                if (!"pulse".equals(protocol)) m.error("pulse_rate", "only for pulse meters");
                else if (!(pulseRate > 0 && pulseRate <= 16)) m.error("pulse_rate", "pulses per second, above 0 and at most 16 (S0: 30 ms pulse, 30 ms pause)");
            }
            if ("random".equals(keys) && electricity && !"p1".equals(protocol)) m.error("keys", "only p1 meters encrypt");
            List<String> ertProtocols = m.has("protocols") ? m.get(ConfigKey.strings("protocols", DOC)) : ScenarioSpec.MeterGroup.ERT_DEFAULT;
            if (m.has("protocols") && !"ert".equals(protocol)) m.error("protocols", "only for ert meters");
            for (String p : ertProtocols) {
                if (!ERT_PROTOCOLS.contains(p)) m.error("protocols", "'" + p + "' is none of " + ERT_PROTOCOLS);
            }
            if (ertProtocols.isEmpty()) m.error("protocols", "name at least one");
            if (ertProtocols.contains("idm") && ertProtocols.contains("netidm") || ertProtocols.contains("r900") && ertProtocols.contains("r900bcd")) {
                m.error("protocols", "idm/netidm and r900/r900bcd share their framing: one source reads one of each pair; use two groups");
            }
            m.finish();
            if (wrongKeys > 0 && !("wmbus".equals(protocol) && "random".equals(keys))) {
                m.error("wrong_keys", "only wmbus meters with keys: random can have a wrong key");
            } else if (wrongKeys > count) {
                m.error("wrong_keys", "more than the group's " + count + " meters");
            }
            if (protocol != null) {
                meters.add(new ScenarioSpec.MeterGroup(ScenarioSpec.Protocol.of(protocol), count, interval, perLine, keys, wrongKeys,
                        spread, lineBaud, damageEvery, ertProtocols, pulseRate));
            }
        }

        List<Fault> faults = new ArrayList<>();
        Random moments = new Random(seed ^ 0x6B696C6CL); // random_within draws: the same seed gives the same run
        for (Settings f : root.sections("faults")) {
            Fault fault = fault(f, moments);
            f.finish();
            if (fault == null) continue;
            if (fault.at().plus(fault.length()).compareTo(duration) > 0) {
                f.error(fault instanceof Fault.GatewayKill ? "at" : "for", "the fault must end within the scenario's duration ("
                        + duration.toSeconds() + "s)");
            }
            if (fault instanceof Fault.DiskFull && faults.stream().anyMatch(Fault.DiskFull.class::isInstance)) {
                f.error("type", "at most one disk_full fault: the state directory has one file system");
            }
            if (fault instanceof Fault.BrokerOutage && broker == ScenarioSpec.BrokerKind.EMBEDDED) {
                f.error("type", "broker_outage needs broker.kind: mosquitto");
            }
            if (fault instanceof Fault.SerialGarbage sg) {
                int serialLines = meters.stream().filter(m -> m.protocol() == ScenarioSpec.Protocol.MBUS_SERIAL)
                        .mapToInt(ScenarioSpec.MeterGroup::lines).sum();
                if (sg.line() >= serialLines) {
                    f.error("line", "there are " + serialLines + " mbus_serial line(s); line is 0-based");
                }
            }
            if (fault instanceof Fault.RadioBadFrames rb) {
                int radios = meters.stream().filter(m -> m.protocol() == ScenarioSpec.Protocol.WMBUS).mapToInt(ScenarioSpec.MeterGroup::lines).sum();
                if (rb.radio() >= radios) f.error("radio", "there are " + radios + " wmbus dongle(s); radio is 0-based");
            }
            if (fault instanceof Fault.MbusLate late) {
                List<Integer> wired = new ArrayList<>();
                for (ScenarioSpec.MeterGroup m : meters) {
                    if (m.protocol() == ScenarioSpec.Protocol.WMBUS) continue;
                    for (int left = m.count(); left > 0; left -= m.perLine()) wired.add(Math.min(m.perLine(), left));
                }
                if (late.line() >= wired.size()) {
                    f.error("line", "there are " + wired.size() + " wired M-Bus line(s); line is 0-based");
                } else if (late.meters() > wired.get(late.line())) {
                    f.error("meters", "line " + late.line() + " has " + wired.get(late.line()) + " meter(s)");
                }
            }
            faults.add(fault);
        }

        Settings i = root.section("invariants");
        ScenarioSpec.Invariants invariants = new ScenarioSpec.Invariants(
                bound(i, "lost"), bound(i, "lost_accepted"), bound(i, "max_duplicates_by_measurement"), bound(i, "max_duplicates_by_seq"),
                bound(i, "p99_latency_ms_max"), bound(i, "live_p99_latency_ms_max"), bound(i, "min_delivered"),
                bound(i, "max_evictions"), bound(i, "min_bad_frames"), bound(i, "max_peak_rss_mib"),
                bound(i, "max_out_of_order"), bound(i, "max_wrong_key_delivered"), bound(i, "min_key_errors"),
                bound(i, "max_eviction_order_violations"), bound(i, "min_evictions"));
        i.finish();
        root.finish();

        List<ConfigError> errors = root.errors();
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new ScenarioSpec(name, duration, drain, seed, broker, gateway, meters, faults, invariants, backlog);
    }

    /** {@code random_within: D}: the fault comes at a random moment in [at, at + D], drawn from the scenario's seed. */
    private static long randomWithin(Settings f, Random moments) {
        Duration within = f.get(ConfigKey.duration("random_within", Duration.ZERO, Duration.ZERO, MAX_RUN, DOC));
        return within.isZero() ? 0 : (long) (moments.nextDouble() * within.toMillis());
    }

    private static Long bound(Settings s, String key) {
        return s.has(key) ? s.get(ConfigKey.longValue(key, 0L, 0, NO_BOUND, DOC)) : null;
    }

    private static Fault fault(Settings f, Random moments) {
        String type = f.get(ConfigKey.choice("type", null, List.copyOf(FAULTS), DOC));
        Duration at = f.get(ConfigKey.duration("at", Duration.ZERO, Duration.ZERO, MAX_RUN, DOC));
        if (type == null) {
            if (!f.has("type")) f.error("type", "required key is missing");
            return null;
        }
        if (!f.has("at")) f.error("at", "required key is missing");
        return switch (type) {
            case "gateway_kill" -> new Fault.GatewayKill(at.plusMillis(randomWithin(f, moments)));
            case "broker_outage" -> new Fault.BrokerOutage(at, length(f), f.get(ConfigKey.bool("kill", false, DOC)));
            case "serial_garbage" -> new Fault.SerialGarbage(at, length(f), f.get(ConfigKey.integer("line", 0, 0, 10_000, DOC)),
                    f.get(ConfigKey.integer("bytes", 16, 1, 4096, DOC)), f.get(ConfigKey.duration("every", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofHours(1), DOC)));
            case "proxy_cut" -> new Fault.ProxyCut(at, length(f));
            case "disk_full" -> new Fault.DiskFull(at, length(f), f.get(ConfigKey.bytes("fs_size", 16L << 20, 1L << 20, 1L << 30, DOC)));
            case "proxy_blackhole" -> new Fault.ProxyBlackHole(at, length(f));
            case "proxy_latency" -> new Fault.ProxyLatency(at, length(f),
                    f.get(ConfigKey.duration("latency", Duration.ofMillis(500), Duration.ZERO, Duration.ofMinutes(10), DOC)));
            case "proxy_flap" -> flap(f, at);
            case "proxy_bandwidth" -> new Fault.ProxyBandwidth(at, length(f), f.get(ConfigKey.bytes("bytes_per_second", 1024, 1, 1L << 40, DOC)));
            case "radio_bad_frames" -> new Fault.RadioBadFrames(at, length(f), f.get(ConfigKey.integer("radio", 0, 0, 10_000, DOC)),
                    f.get(ConfigKey.duration("every", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofHours(1), DOC)));
            case "hostile_headend" -> new Fault.HostileHeadend(at, f.get(ConfigKey.integer("oversized_mib", 80, 0, 200, DOC)),
                    f.get(ConfigKey.duration("trial_bound", Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(10), DOC)));
            case "radio_stall" -> new Fault.RadioStall(at, length(f));
            case "fleet_ops" -> new Fault.FleetOps(at, f.get(ConfigKey.duration("update_health", Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofMinutes(10), DOC)));
            case "coap_restart" -> new Fault.CoapRestart(at, f.get(ConfigKey.integer("meter", 0, 0, 10_000, DOC)));
            case "mbus_late" -> new Fault.MbusLate(at, length(f), f.get(ConfigKey.integer("line", 0, 0, 10_000, DOC)), f.get(ConfigKey.integer("meters", 1, 1, 250, DOC)),
                    f.get(ConfigKey.duration("delay", Duration.ofMillis(800), Duration.ofMillis(1), Duration.ofMinutes(1), DOC)));
            default -> throw new IllegalStateException(type);
        };
    }

    private static Fault.ProxyFlap flap(Settings f, Duration at) {
        Duration length = length(f);
        Duration upMin = f.get(ConfigKey.duration("up_min", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1), DOC));
        Duration upMax = f.get(ConfigKey.duration("up_max", Duration.ofSeconds(20), Duration.ofMillis(100), Duration.ofHours(1), DOC));
        Duration downMin = f.get(ConfigKey.duration("down_min", Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofHours(1), DOC));
        Duration downMax = f.get(ConfigKey.duration("down_max", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1), DOC));
        if (upMax.compareTo(upMin) < 0) f.error("up_max", "must not be below up_min");
        if (downMax.compareTo(downMin) < 0) f.error("down_max", "must not be below down_min");
        return new Fault.ProxyFlap(at, length, upMin, upMax, downMin, downMax);
    }

    private static Duration length(Settings f) {
        if (!f.has("for")) f.error("for", "required key is missing");
        return f.get(ConfigKey.duration("for", Duration.ofSeconds(1), Duration.ofMillis(100), MAX_RUN, DOC));
    }
}
