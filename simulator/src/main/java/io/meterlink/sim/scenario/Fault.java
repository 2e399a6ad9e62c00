package io.meterlink.sim.scenario;

import java.time.Duration;

/** One fault of a scenario, with its timing relative to the start of metering. Immutable. */
public sealed interface Fault {
    /** When it starts. */
    Duration at();

    /** How long it lasts (zero for an instant fault such as a SIGKILL). */
    Duration length();

    /** The key used in scenario files. */
    String type();

    /** Whether this fault acts on the gateway-to-broker path through the fault proxy. */
    default boolean needsProxy() { return false; }

    /** CoAP meter number {@code meter} (in file order) reboots: its server forgets every observer; the gateway must register again. */
    record CoapRestart(Duration at, int meter) implements Fault {
        @Override public Duration length() { return Duration.ZERO; }

        @Override public String type() { return "coap_restart"; }
    }

    /** Every rtl_tcp server of the scenario's ert meters stops streaming (the connection stays open) for {@code length}. */
    record RadioStall(Duration at, Duration length) implements Fault {
        @Override
        public String type() { return "radio_stall"; }
    }

    /** The broker is stopped (SIGTERM, or SIGKILL with {@code kill}) at {@code at} and started again {@code length} later. */
    record BrokerOutage(Duration at, Duration length, boolean kill) implements Fault {
        public String type() { return "broker_outage"; }
    }

    /** SIGKILL of the gateway at {@code at}; it is restarted on the same buffer after the gateway's {@code restart_after}. */
    record GatewayKill(Duration at) implements Fault {
        public Duration length() { return Duration.ZERO; }

        public String type() { return "gateway_kill"; }
    }

    /**
     * Garbage bytes before meter answers on one serial M-Bus line: a burst of {@code bytes} random
     * bytes every {@code every}, during {@code length}.
     *
     * @param line index of the serial line (0 = the first {@code mbus_serial} line)
     */
    record SerialGarbage(Duration at, Duration length, int line, int bytes, Duration every) implements Fault {
        public String type() { return "serial_garbage"; }
    }

    /** The proxy between gateway and broker resets every connection and refuses new ones during {@code length}. */
    record ProxyCut(Duration at, Duration length) implements Fault {
        public String type() { return "proxy_cut"; }

        public boolean needsProxy() { return true; }
    }

    /** The proxy swallows every byte both ways without closing anything (no RST) during {@code length}. */
    record ProxyBlackHole(Duration at, Duration length) implements Fault {
        public String type() { return "proxy_blackhole"; }

        public boolean needsProxy() { return true; }
    }

    /** During {@code length}, the proxy cuts the link every {@code upMin}..{@code upMax} for {@code downMin}..{@code downMax}. */
    record ProxyFlap(Duration at, Duration length, Duration upMin, Duration upMax, Duration downMin, Duration downMax)
            implements Fault {
        public String type() { return "proxy_flap"; }

        public boolean needsProxy() { return true; }
    }

    /** The proxy adds {@code latency} to every chunk both ways during {@code length}. */
    record ProxyLatency(Duration at, Duration length, Duration latency) implements Fault {
        public String type() { return "proxy_latency"; }

        public boolean needsProxy() { return true; }
    }

    /** The proxy caps each direction at {@code bytesPerSecond} during {@code length}. */
    record ProxyBandwidth(Duration at, Duration length, long bytesPerSecond) implements Fault {
        public String type() { return "proxy_bandwidth"; }

        public boolean needsProxy() { return true; }
    }

    /**
     * Bad frames on the radio path of one virtual dongle: every {@code every} during {@code length}, one
     * telegram with a broken checksum and one cut short (each a copy of a meter's real telegram, not in its ledger).
     *
     * @param radio index of the dongle (0 = the first {@code wmbus} dongle, in file order)
     */
    record RadioBadFrames(Duration at, Duration length, int radio, Duration every) implements Fault {
        public String type() { return "radio_bad_frames"; }
    }

    /**
     * The first {@code meters} meters of one wired M-Bus line answer {@code delay} late during {@code length}
     * (the line is half duplex: the late answer holds the line).
     *
     * @param line index of the wired line (0 = the first {@code mbus_tcp} or {@code mbus_serial} line, in file order)
     */
    record MbusLate(Duration at, Duration length, int line, int meters, Duration delay) implements Fault {
        public String type() { return "mbus_late"; }
    }

    /**
     * A hostile head-end ({@code HostileHeadEnd}) publishes its attacks from {@code at}: bad bundles that must
     * each be refused with their typed reason, an {@code oversizedMib} MiB command (0: none), and a signed
     * CA and URL rotation to an unreachable broker that must be rolled back within {@code trialBound}.
     */
    record HostileHeadend(Duration at, int oversizedMib, Duration trialBound) implements Fault {
        public Duration length() { return Duration.ZERO; }

        public String type() { return "hostile_headend"; }
    }

    /**
     * Fleet operations ({@code FleetHeadEnd}) from {@code at}: a remote read, an unsigned and a signed
     * temporary log level, a live bundle, a software update that must be confirmed and one that must be
     * rolled back. The gateway then runs from a signed bundle's configuration and is started by the
     * package's launcher from {@code releases/current}, and started again after every exit (as systemd's
     * {@code Restart=always}); a new release must deliver its status within {@code updateHealth}.
     */
    record FleetOps(Duration at, Duration updateHealth) implements Fault {
        public Duration length() { return Duration.ZERO; }

        public String type() { return "fleet_ops"; }
    }

    /**
     * The file system holding the gateway's state directory (a tmpfs of {@code fsSizeBytes} the
     * scenario mounts: needs root) is filled to the last byte at {@code at} and freed {@code length}
     * later.
     */
    record DiskFull(Duration at, Duration length, long fsSizeBytes) implements Fault {
        public String type() { return "disk_full"; }
    }
}
