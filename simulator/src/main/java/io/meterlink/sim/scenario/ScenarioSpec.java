package io.meterlink.sim.scenario;

import java.time.Duration;
import java.util.List;

/**
 * One scenario file, bound and checked ({@link ScenarioParser}). Immutable.
 *
 * @param name         for progress lines and the JSON result
 * @param duration     metering time; every fault happens inside it
 * @param drainTimeout after the meters stop, how long the gateway has to deliver everything
 * @param seed         seed of every random choice (garbage bytes, flap intervals), for reruns
 * @param broker       the utility's broker
 * @param gateway      how the child gateway is run and configured
 * @param meters       virtual meters by protocol
 * @param faults       what breaks, and when
 * @param invariants   what must hold at the end
 * @param backlog      readings pre-filled into the gateway's buffer before it starts (0: none), accounted like any other
 */
public record ScenarioSpec(String name, Duration duration, Duration drainTimeout, long seed, BrokerKind broker,
                           GatewaySpec gateway, List<MeterGroup> meters, List<Fault> faults, Invariants invariants,
                           long backlog) {

    public ScenarioSpec {
        meters = List.copyOf(meters);
        faults = List.copyOf(faults);
        if (backlog < 0) throw new IllegalArgumentException("backlog >= 0");
    }

    /** A scenario without a backlog. */
    public ScenarioSpec(String name, Duration duration, Duration drainTimeout, long seed, BrokerKind broker,
                        GatewaySpec gateway, List<MeterGroup> meters, List<Fault> faults, Invariants invariants) {
        this(name, duration, drainTimeout, seed, broker, gateway, meters, faults, invariants, 0);
    }

    /** The same scenario with the gateway publishing in {@code payload} ({@code json} or {@code compact}). */
    public ScenarioSpec withPayload(String payload) {
        return new ScenarioSpec(name, duration, drainTimeout, seed, broker, gateway.withPayload(payload), meters, faults,
                invariants, backlog);
    }

    /** Which broker the scenario starts. */
    public enum BrokerKind {
        /** Real Mosquitto with mutual TLS and the per-gateway ACL (the default; what CI uses). */
        MOSQUITTO,
        /** Moquette in-process, TLS with password authentication (the demo's broker); cannot be stopped mid-run. */
        EMBEDDED
    }

    /**
     * The child gateway.
     *
     * @param jvmArgs          extra JVM options, e.g. {@code -Xmx64m}
     * @param bufferMaxBytes   {@code buffer.max_bytes}, or 0 for the gateway's default (a small cap forces eviction)
     * @param batchMaxReadings {@code uplink.batch_max_readings}, or 0 for the gateway's default
     * @param restartAfter     pause between a SIGKILL and the restart
     * @param killInFlightWindow readings generated this long before a SIGKILL may die uncommitted with the process:
     *                         not counted as lost (see docs/simulator.md)
     * @param backlogMaxRate   {@code uplink.backlog_max_rate} (backlog readings per second), or 0 for the gateway's default (no limit)
     * @param payload          {@code uplink.payload}: {@code json} (the gateway's default) or {@code compact}
     */
    public record GatewaySpec(List<String> jvmArgs, long bufferMaxBytes, int batchMaxReadings, Duration restartAfter,
                              Duration killInFlightWindow, int backlogMaxRate, String payload) {
        public GatewaySpec {
            jvmArgs = List.copyOf(jvmArgs);
            if (payload == null) payload = "json";
        }

        /** JSON payloads. */
        public GatewaySpec(List<String> jvmArgs, long bufferMaxBytes, int batchMaxReadings, Duration restartAfter,
                           Duration killInFlightWindow, int backlogMaxRate) {
            this(jvmArgs, bufferMaxBytes, batchMaxReadings, restartAfter, killInFlightWindow, backlogMaxRate, "json");
        }

        /** The same gateway publishing in {@code format}. */
        public GatewaySpec withPayload(String format) {
            return new GatewaySpec(jvmArgs, bufferMaxBytes, batchMaxReadings, restartAfter, killInFlightWindow, backlogMaxRate, format);
        }

        /** Without a backlog rate. */
        public GatewaySpec(List<String> jvmArgs, long bufferMaxBytes, int batchMaxReadings, Duration restartAfter,
                           Duration killInFlightWindow) {
            this(jvmArgs, bufferMaxBytes, batchMaxReadings, restartAfter, killInFlightWindow, 0);
        }
    }

    /**
     * Meters of one protocol.
     *
     * @param protocol what they speak and over which transport
     * @param count    how many (M-Bus: up to 250 per line; more meters use more lines)
     * @param interval how often the gateway polls each (wired) or each transmits (wireless)
     * @param perLine  M-Bus meters per line (1..250), wireless meters per dongle
     * @param keys     AES keys of encrypted wireless meters: {@code none}, {@code random} (one per meter)
     * @param wrongKeys how many of these wireless meters (the first ones) the gateway is given a wrong key for
     * @param spread   wireless: each meter transmits at its own offset within the interval (as real meters do)
     *                 instead of all of a dongle's meters in one burst
     * @param lineBaud wired over TCP: the converter's M-Bus line speed the virtual line answers at (each answer
     *                 takes its bytes' time on the wire, 11 bits per character); 0: at once
     * @param damageEvery electricity meters: every n-th telegram, file or readout is damaged (CRC/BCC); modbus meters:
     *                    every n-th request gets a fault (CRC, timeout, exception, garbage, wrong slave, short answer);
     *                    pulse meters: every n-th pulse bounces; 0 never
     * @param ertProtocols ert meters: the packet types they take in turn
     * @param pulseRateHz pulse meters: pulses per second while a gateway listens
     */
    public record MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys,
                             boolean spread, int lineBaud, int damageEvery, List<String> ertProtocols, double pulseRateHz) {
        /** The ERT/R900 packet types of an {@code ert} group when the scenario names none. */
        public static final List<String> ERT_DEFAULT = List.of("scm", "scm+", "idm", "r900");

        public MeterGroup {
            ertProtocols = List.copyOf(ertProtocols);
        }

        /** A group that is not of pulse meters. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys,
                          boolean spread, int lineBaud, int damageEvery, List<String> ertProtocols) {
            this(protocol, count, interval, perLine, keys, wrongKeys, spread, lineBaud, damageEvery, ertProtocols, 0);
        }

        /** A pulse group (or any other) with the default ERT packet types. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys,
                          boolean spread, int lineBaud, int damageEvery, double pulseRateHz) {
            this(protocol, count, interval, perLine, keys, wrongKeys, spread, lineBaud, damageEvery, ERT_DEFAULT, pulseRateHz);
        }

        /** A group with the default ERT packet types. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys,
                          boolean spread, int lineBaud, int damageEvery) {
            this(protocol, count, interval, perLine, keys, wrongKeys, spread, lineBaud, damageEvery, ERT_DEFAULT, 0);
        }

        /** A group without damaged electricity frames. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys,
                          boolean spread, int lineBaud) {
            this(protocol, count, interval, perLine, keys, wrongKeys, spread, lineBaud, 0);
        }

        /** Electricity meters (P1, SML, IEC 62056-21), read by the electricity drivers over socat ptys. */
        public boolean electricity() {
            return protocol == Protocol.P1 || protocol == Protocol.SML || protocol == Protocol.IEC62056_21;
        }

        /** Modbus slaves (RTU on ptys or TCP), polled by the gateway's {@code modbus} driver. */
        public boolean modbus() {
            return protocol == Protocol.MODBUS_RTU || protocol == Protocol.MODBUS_TCP;
        }

        /** A group whose keys the gateway all has. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys) {
            this(protocol, count, interval, perLine, keys, 0);
        }

        /** A group in one burst per interval, answering at once. */
        public MeterGroup(Protocol protocol, int count, Duration interval, int perLine, String keys, int wrongKeys) {
            this(protocol, count, interval, perLine, keys, wrongKeys, false, 0);
        }

        /** How many lines (TCP servers or pty pairs) this group needs. */
        public int lines() {
            return (count + perLine - 1) / perLine;
        }
    }

    /** Protocols (and transports) a scenario can name. */
    public enum Protocol {
        /** Wired M-Bus over TCP (a serial-to-Ethernet converter). */
        MBUS_TCP("mbus_tcp"),
        /** Wired M-Bus over a serial line: a socat pseudo-terminal pair opened by jSerialComm at both ends. */
        MBUS_SERIAL("mbus_serial"),
        /** Wireless M-Bus behind a virtual radio dongle (needs the simulator's wireless meters). */
        WMBUS("wmbus"),
        /** 900 MHz ERT/R900 meters on the simulator's rtl_tcp server, heard by the gateway's {@code ert} driver. */
        ERT("ert"),
        /** DSMR P1 meters, one per socat pty pair (115200 8N1); {@code keys: random} gives encrypted P1. */
        P1("p1"),
        /** SML meters pushing generated files, one per socat pty pair (9600 8N1). */
        SML("sml"),
        /** IEC 62056-21 mode C meters polled by address, {@code perLine} on one socat pty pair. */
        IEC62056_21("iec62056_21"),
        /** Modbus RTU slaves, {@code perLine} on one socat pty pair (9600 8E1), serving the shipped profiles in turn. */
        MODBUS_RTU("modbus_rtu"),
        /** Modbus TCP servers on 127.0.0.1, {@code perLine} slaves (unit ids) behind each, serving the shipped profiles in turn. */
        MODBUS_TCP("modbus_tcp"),
        /** S0 pulse outputs on the simulator's pulse wire, counted by the gateway's {@code pulse} driver on Pi4J's mock provider. */
        PULSE("pulse"),
        /** IP meters serving SenML over CoAP with observe, read by the gateway's {@code coap} driver. */
        COAP("coap");

        private final String key;

        Protocol(String key) { this.key = key; }

        public String key() { return key; }

        public static Protocol of(String key) {
            for (Protocol p : values()) if (p.key.equals(key)) return p;
            throw new IllegalArgumentException(key);
        }
    }

    /**
     * Bounds checked at the end; {@code null} where the file does not set one.
     *
     * @param lost                        max readings lost (see docs/simulator.md for the definition)
     * @param lostAccepted                max readings traced as accepted that never arrived
     * @param maxDuplicatesByMeasurement  max arrivals re-stamping an already delivered measurement under a new seq
     * @param maxDuplicatesBySeq          max repeated {@code (gw, seq)} arrivals (at-least-once allows them)
     * @param p99LatencyMsMax             max p99 latency of every delivered reading
     * @param liveP99LatencyMsMax         max p99 latency of readings generated while no fault was active
     * @param minDelivered                at least this many readings delivered (a run that did nothing fails)
     * @param maxEvictions                max readings evicted by the buffer cap
     * @param minBadFrames                at least this many bad frames counted (garbage was noticed)
     * @param maxPeakRssMib               gateway peak RSS bound
     * @param maxOutOfOrder               max readings older than a lower seq of the same meter series (see docs/simulator.md)
     * @param maxWrongKeyDelivered        max readings delivered from meters the gateway has a wrong key for (garbage readings)
     * @param minKeyErrors                at least this many telegrams refused for a wrong key
     * @param maxEvictionOrderViolations  max evicted readings the buffer's eviction policy did not name
     * @param minEvictions                at least this many readings evicted (the buffer cap was reached)
     */
    public record Invariants(Long lost, Long lostAccepted, Long maxDuplicatesByMeasurement, Long maxDuplicatesBySeq, Long p99LatencyMsMax,
                             Long liveP99LatencyMsMax, Long minDelivered, Long maxEvictions, Long minBadFrames,
                             Long maxPeakRssMib, Long maxOutOfOrder, Long maxWrongKeyDelivered, Long minKeyErrors,
                             Long maxEvictionOrderViolations, Long minEvictions) {
        /** Without the out-of-order, key and eviction-order bounds. */
        public Invariants(Long lost, Long lostAccepted, Long maxDuplicatesByMeasurement, Long maxDuplicatesBySeq, Long p99LatencyMsMax,
                          Long liveP99LatencyMsMax, Long minDelivered, Long maxEvictions, Long minBadFrames, Long maxPeakRssMib) {
            this(lost, lostAccepted, maxDuplicatesByMeasurement, maxDuplicatesBySeq, p99LatencyMsMax, liveP99LatencyMsMax, minDelivered,
                    maxEvictions, minBadFrames, maxPeakRssMib, null, null, null, null, null);
        }
    }
}
