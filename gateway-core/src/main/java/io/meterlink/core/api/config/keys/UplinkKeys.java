package io.meterlink.core.api.config.keys;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code uplink:} section: how the gateway reaches the utility's MQTT broker. */
public final class UplinkKeys {
    private UplinkKeys() {
    }

    public static final ConfigKey<String> URL = ConfigKey.required("url",
            "the utility broker, parsed as a URI: host name or IP (`[::1]`), port 1–65535 (default 8883); no `user:password@` (use `username`/`password`), path, query or fragment; `tcp://` is refused unless `allow_insecure: true`")
            .describedAs("`ssl://host:port`");
    public static final ConfigKey<String> PROTOCOL = ConfigKey.choice("protocol", "mqtt5", List.of("mqtt5", "mqtt311"),
            "MQTT 3.1.1 for Azure IoT Hub and older brokers");
    public static final ConfigKey<String> CLIENT_ID = ConfigKey.text("client_id", null, "MQTT client id")
            .defaultDescribed("gateway id");
    public static final ConfigKey<String> TOPIC_PREFIX = ConfigKey.text("topic_prefix", "meterlink/v1",
            "topics are `<prefix>/<gateway_id>/readings`, `…/status`, `…/cmd/<name>`, `…/cmd-reply`");
    public static final ConfigKey<io.meterlink.core.api.config.Settings> TLS = ConfigKey.section("tls",
            "the TLS files of the connection");
    public static final ConfigKey<Optional<Path>> CA_FILE = ConfigKey.path("tls.ca_file",
            "the utility CA, pinned: nothing else is trusted; hostname verification is always on")
            .describedAs("path").defaultDescribed("required for `ssl://`");
    public static final ConfigKey<Optional<Path>> CERT_FILE = ConfigKey.path("tls.cert_file",
            "client certificate (PEM) for mutual TLS, with `key_file`").defaultDescribed("none");
    public static final ConfigKey<Optional<Path>> KEY_FILE = ConfigKey.path("tls.key_file",
            "the client certificate's private key (PEM); the file should be mode 0600").defaultDescribed("none");
    public static final ConfigKey<String> USERNAME = ConfigKey.text("username", null,
            "password authentication over TLS instead of a client certificate, with `password`").defaultDescribed("none");
    public static final ConfigKey<Optional<Secret>> PASSWORD = ConfigKey.secret("password",
            "the password of `username`").defaultDescribed("none");
    public static final ConfigKey<Boolean> ALLOW_INSECURE = ConfigKey.bool("allow_insecure", false,
            "development only: permit `tcp://`; a warning is logged at every connect");
    public static final ConfigKey<Integer> BATCH_MAX_READINGS = ConfigKey.integer("batch_max_readings", 500, 1, 10_000,
            "most readings per published message");
    public static final ConfigKey<Long> BATCH_MAX_BYTES = ConfigKey.bytes("batch_max_bytes", 256 * 1024, 1024, 64L * 1024 * 1024,
            "most bytes per published message, lowered per connection to the broker's MQTT 5 Maximum Packet Size when it announces a smaller one; a single larger reading goes to the dead-letter table (`too_big`)");
    public static final ConfigKey<Integer> INFLIGHT_WINDOW = ConfigKey.integer("inflight_window", 8, 1, 64,
            "most unacknowledged messages at once");
    public static final ConfigKey<String> PAYLOAD = ConfigKey.choice("payload", "json", List.of("json", "compact"),
            "readings format on the wire: JSON v1, or compact v1 (CBOR with per-batch dictionaries, DEFLATE; docs/payloads.md, \"Compact payload\")");
    public static final ConfigKey<Integer> BACKLOG_MAX_RATE = ConfigKey.integer("backlog_max_rate", 0, 0, 10_000_000,
            "most *backlog* readings sent per second after an outage, 0 for no limit; live readings are never held back (docs/payloads.md, \"Live and backlog\")");
    public static final ConfigKey<Duration> BACKOFF_MIN = ConfigKey.duration("backoff_min", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofHours(1), "first reconnect delay bound: exponential backoff with full jitter, at most `backoff_max`");
    public static final ConfigKey<Duration> BACKOFF_MAX = ConfigKey.duration("backoff_max", Duration.ofMinutes(5),
            Duration.ofMillis(10), Duration.ofHours(6), "largest reconnect delay bound");
    public static final ConfigKey<Duration> KEEP_ALIVE = ConfigKey.duration("keep_alive", Duration.ofSeconds(30),
            Duration.ofSeconds(5), Duration.ofHours(1), "MQTT keep-alive");
    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.duration("connect_timeout", Duration.ofSeconds(20),
            Duration.ofSeconds(1), Duration.ofMinutes(5), "TCP + TLS + CONNECT");
    public static final ConfigKey<Duration> STATUS_INTERVAL = ConfigKey.duration("status_interval", Duration.ofSeconds(60),
            Duration.ofMillis(100), Duration.ofHours(24), "how often the retained status message is published");

    public static final KeyGroup GROUP = KeyGroup.of("gateway", "uplink", URL, PROTOCOL, CLIENT_ID, TOPIC_PREFIX,
            CA_FILE, CERT_FILE, KEY_FILE, USERNAME, PASSWORD, ALLOW_INSECURE, BATCH_MAX_READINGS, BATCH_MAX_BYTES,
            INFLIGHT_WINDOW, PAYLOAD, BACKLOG_MAX_RATE, BACKOFF_MIN, BACKOFF_MAX, KEEP_ALIVE, CONNECT_TIMEOUT, STATUS_INTERVAL);
}
