package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;

import java.time.Duration;

/** The {@code technician_endpoint:} section (docs/technician-endpoint.md), declared once: defaults and bounds live here. */
public final class TechnicianKeys {
    private TechnicianKeys() {
    }

    /** Highest BCM GPIO number on a Raspberry Pi header. */
    static final int MAX_BCM_PIN = 27;
    /** The CoAPs port of RFC 7252 §12.8 (a constant: the CLI's option defaults name it). */
    public static final int DEFAULT_PORT = 5684;
    public static final String DEFAULT_IDENTITY = "technician";

    public static final ConfigKey<Boolean> ENABLED = ConfigKey.bool("enabled", true,
            "watch for the opening signals (service button, `meterlink provision open`); the CoAPs socket stays unbound until one arrives, and the endpoint needs the technician secret of `provision init` ([docs/technician-endpoint.md](docs/technician-endpoint.md))");
    public static final ConfigKey<String> BIND = ConfigKey.text("bind", "0.0.0.0",
            "the address the endpoint listens on while open (UDP, CoAP over DTLS 1.2)").describedAs("IP address");
    public static final ConfigKey<Integer> PORT = ConfigKey.integer("port", DEFAULT_PORT, 0, 65535, "the UDP port while open (0: any free one, logged when it opens)");
    public static final ConfigKey<Duration> OPEN_WINDOW = ConfigKey.duration("open_window", Duration.ofMinutes(15),
            Duration.ofSeconds(10), Duration.ofMinutes(15), "how long one opening signal keeps it open");
    public static final ConfigKey<Integer> BUTTON_PIN = ConfigKey.integer("button_pin", null, 0, MAX_BCM_PIN,
            "the service button's GPIO input, BCM numbering (Pi4J); no pin: only `provision open` opens it").defaultDescribed("none");
    public static final ConfigKey<Boolean> BUTTON_ACTIVE_LOW = ConfigKey.bool("button_active_low", true,
            "the button pulls the input low when pressed");
    public static final ConfigKey<String> IDENTITY = ConfigKey.text("identity", DEFAULT_IDENTITY,
            "the PSK identity the technician's client presents");
    public static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.integer("max_connections", 4, 1, 64,
            "DTLS connections kept at once");
    public static final ConfigKey<Duration> STALE_AFTER = ConfigKey.duration("stale_after", Duration.ofSeconds(10),
            Duration.ofSeconds(5), Duration.ofHours(1), "an idle DTLS connection gives way to a new one after this");
    public static final ConfigKey<Integer> FAILURE_LIMIT = ConfigKey.integer("failure_limit", 5, 1, 1000,
            "handshake failures from one address within `failure_window` that lock it out");
    public static final ConfigKey<Duration> FAILURE_WINDOW = ConfigKey.duration("failure_window", Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofHours(1), "the window over which handshake failures are counted");
    public static final ConfigKey<Duration> LOCKOUT = ConfigKey.duration("lockout", Duration.ofMinutes(10),
            Duration.ofSeconds(1), Duration.ofDays(1), "how long a locked-out address gets no answer at all");
    public static final ConfigKey<Long> MAX_BODY = ConfigKey.bytes("max_body", 256 * 1024, 1024, 16L * 1024 * 1024,
            "largest request or response body");
    public static final ConfigKey<Duration> READ_TIMEOUT = ConfigKey.duration("read_timeout", Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofMinutes(10), "longest a `read` may wait for the meter");

    public static final KeyGroup GROUP = KeyGroup.of("gateway", TechnicianSection.KEY, ENABLED, BIND, PORT, OPEN_WINDOW,
            BUTTON_PIN, BUTTON_ACTIVE_LOW, IDENTITY, MAX_CONNECTIONS, STALE_AFTER, FAILURE_LIMIT, FAILURE_WINDOW, LOCKOUT,
            MAX_BODY, READ_TIMEOUT);
}
