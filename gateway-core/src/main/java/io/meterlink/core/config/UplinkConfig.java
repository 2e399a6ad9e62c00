package io.meterlink.core.config;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code uplink:} section: how the gateway reaches the utility's MQTT broker.
 *
 * @param url              {@code ssl://host:port} (TLS) or {@code tcp://host:port} (plaintext, only with allowInsecure),
 *                         always a valid {@link BrokerUrl} (checked here; {@code null} only in a config with errors)
 * @param protocol         MQTT 5 (default) or 3.1.1
 * @param clientId         MQTT client id (default: the gateway id)
 * @param topicPrefix      default {@code meterlink/v1}
 * @param caFile           pinned CA certificate(s), PEM; required for TLS
 * @param certFile         client certificate (PEM) for mutual TLS
 * @param keyFile          client private key (PEM, PKCS#8 or traditional) for mutual TLS
 * @param username         username for password authentication over TLS
 * @param password         password for password authentication
 * @param allowInsecure    development only: permit {@code tcp://} (a warning is logged at every connect)
 * @param batchMaxReadings most readings per published message (default 500)
 * @param batchMaxBytes    most payload bytes per published message (default 256 KiB)
 * @param inflightWindow   most unacknowledged batches at once (default 8; kept below Paho's in-flight limit)
 * @param backoffMin       first reconnect delay bound (default 1 s)
 * @param backoffMax       largest reconnect delay bound (default 5 min)
 * @param keepAlive        MQTT keep-alive (default 30 s)
 * @param connectTimeout   TCP+TLS+CONNECT timeout (default 20 s)
 * @param statusInterval   how often the retained status is published (default 60 s)
 * @param backlogMaxRate   most backlog readings sent per second, 0 for no limit (the default); live readings are never
 *                         held back (docs/payloads.md, "Live and backlog")
 * @param payload          readings format on the wire: JSON v1 (the default) or compact v1 (docs/payloads.md, "Compact payload")
 */
public record UplinkConfig(
        String url,
        Protocol protocol,
        String clientId,
        String topicPrefix,
        Optional<Path> caFile,
        Optional<Path> certFile,
        Optional<Path> keyFile,
        Optional<String> username,
        Optional<Secret> password,
        boolean allowInsecure,
        int batchMaxReadings,
        int batchMaxBytes,
        int inflightWindow,
        Duration backoffMin,
        Duration backoffMax,
        Duration keepAlive,
        Duration connectTimeout,
        Duration statusInterval,
        int backlogMaxRate,
        Payload payload) {

    public enum Protocol { MQTT5, MQTT311 }

    /** {@code uplink.payload}: how readings batches are encoded. */
    public enum Payload { JSON, COMPACT }

    /** JSON v1 payloads. */
    public UplinkConfig(String url, Protocol protocol, String clientId, String topicPrefix, Optional<Path> caFile,
                        Optional<Path> certFile, Optional<Path> keyFile, Optional<String> username, Optional<Secret> password,
                        boolean allowInsecure, int batchMaxReadings, int batchMaxBytes, int inflightWindow, Duration backoffMin,
                        Duration backoffMax, Duration keepAlive, Duration connectTimeout, Duration statusInterval,
                        int backlogMaxRate) {
        this(url, protocol, clientId, topicPrefix, caFile, certFile, keyFile, username, password, allowInsecure,
                batchMaxReadings, batchMaxBytes, inflightWindow, backoffMin, backoffMax, keepAlive, connectTimeout,
                statusInterval, backlogMaxRate, Payload.JSON);
    }

    /** This configuration with readings batches in {@code format}. */
    public UplinkConfig withPayload(Payload format) {
        return new UplinkConfig(url, protocol, clientId, topicPrefix, caFile, certFile, keyFile, username, password, allowInsecure,
                batchMaxReadings, batchMaxBytes, inflightWindow, backoffMin, backoffMax, keepAlive, connectTimeout,
                statusInterval, backlogMaxRate, format);
    }

    /** Without a backlog rate limit. */
    public UplinkConfig(String url, Protocol protocol, String clientId, String topicPrefix, Optional<Path> caFile,
                        Optional<Path> certFile, Optional<Path> keyFile, Optional<String> username, Optional<Secret> password,
                        boolean allowInsecure, int batchMaxReadings, int batchMaxBytes, int inflightWindow, Duration backoffMin,
                        Duration backoffMax, Duration keepAlive, Duration connectTimeout, Duration statusInterval) {
        this(url, protocol, clientId, topicPrefix, caFile, certFile, keyFile, username, password, allowInsecure,
                batchMaxReadings, batchMaxBytes, inflightWindow, backoffMin, backoffMax, keepAlive, connectTimeout,
                statusInterval, 0);
    }

    public UplinkConfig {
        if (payload == null) payload = Payload.JSON;
        if (url != null) url = BrokerUrl.parse(url).toString();
    }

    /** The parsed broker URL; {@code url} was validated when this record was built. */
    public BrokerUrl broker() { return BrokerUrl.parse(url); }

    public boolean isTls() { return broker().tls(); }

    /** Longest accepted prefix: leaves room for the gateway id and the topic's last levels. */
    static final int TOPIC_PREFIX_MAX = 128;

    /**
     * Why {@code prefix} cannot begin our topics, or {@code null} when it can. Checked at load time
     * so that a bad prefix is a configuration error naming the key, never a failure inside the MQTT
     * client (MQTT 5 §4.7: no wildcards in a topic name; '$' topics belong to the broker).
     */
    public static String topicPrefixProblem(String prefix) {
        if (prefix.isEmpty()) return "must not be empty";
        if (prefix.length() > TOPIC_PREFIX_MAX) return "must be at most " + TOPIC_PREFIX_MAX + " characters";
        if (prefix.contains("+") || prefix.contains("#")) return "must not contain the wildcards '+' or '#'";
        if (prefix.startsWith("$")) return "must not start with '$' (reserved for the broker's own topics)";
        if (prefix.startsWith("/") || prefix.endsWith("/")) return "must not start or end with '/'";
        if (prefix.contains("//")) return "must not contain an empty level ('//')";
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) return "must not contain spaces or control characters";
        }
        return null;
    }

    public static UplinkConfig bind(Settings s, String gatewayId) {
        return bind(s, gatewayId, ConfigLoader.FileChecks.NONE);
    }

    /** With {@code files} deciding how far the TLS files themselves are checked ({@link TlsFiles}). */
    public static UplinkConfig bind(Settings s, String gatewayId, ConfigLoader.FileChecks files) {
        BrokerUrl broker = null;
        String rawUrl = s.requiredString("url");
        if (rawUrl != null) {
            try {
                broker = BrokerUrl.parse(rawUrl);
            } catch (IllegalArgumentException e) {
                s.error("url", e.getMessage()); // never the value: it may hold a password
            }
        }
        String url = broker == null ? null : broker.toString();
        Protocol protocol = "mqtt311".equals(s.choice("protocol", "mqtt5", Set.of("mqtt5", "mqtt311")))
                ? Protocol.MQTT311 : Protocol.MQTT5;
        String clientId = s.string("client_id", gatewayId);
        String prefix = s.string("topic_prefix", "meterlink/v1");
        String prefixProblem = prefix == null ? null : topicPrefixProblem(prefix);
        if (prefixProblem != null) s.error("topic_prefix", prefixProblem);
        Settings tls = s.section("tls");
        Optional<Path> ca = tls.path("ca_file");
        Optional<Path> cert = tls.path("cert_file");
        Optional<Path> key = tls.path("key_file");
        if (files != ConfigLoader.FileChecks.NONE) TlsFiles.check(tls, ca, cert, key, files == ConfigLoader.FileChecks.ALL);
        tls.finish();
        Optional<String> username = Optional.ofNullable(s.string("username", null));
        Optional<Secret> password = s.secret("password");
        boolean insecure = s.bool("allow_insecure", false);
        int batchReadings = s.integer("batch_max_readings", 500, 1, 10_000);
        int batchBytes = (int) s.bytes("batch_max_bytes", 256 * 1024, 1024, 64L * 1024 * 1024);
        int window = s.integer("inflight_window", 8, 1, 64);
        Duration bmin = s.duration("backoff_min", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofHours(1));
        Duration bmax = s.duration("backoff_max", Duration.ofMinutes(5), Duration.ofMillis(10), Duration.ofHours(6));
        Duration keepAlive = s.duration("keep_alive", Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofHours(1));
        Duration connectTimeout = s.duration("connect_timeout", Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofMinutes(5));
        Duration statusInterval = s.duration("status_interval", Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofHours(24));
        int backlogMaxRate = s.integer("backlog_max_rate", 0, 0, 10_000_000);
        Payload payload = "compact".equals(s.choice("payload", "json", Set.of("json", "compact"))) ? Payload.COMPACT : Payload.JSON;

        boolean secure = broker != null && broker.tls();
        if (secure && ca.isEmpty()) {
            s.error("tls.ca_file", "required for ssl:// (the utility CA is pinned)");
        }
        if (broker != null && !broker.tls() && !insecure) {
            s.error("url", "plaintext tcp:// is refused; use ssl:// or set allow_insecure: true for development");
        }
        if (cert.isPresent() != key.isPresent()) {
            s.error("tls", "cert_file and key_file go together");
        }
        if (username.isPresent() != password.isPresent()) {
            s.error(username.isPresent() ? "password" : "username", "username and password go together");
        }
        if (secure && cert.isEmpty() && username.isEmpty()) {
            s.error("tls", "no authentication: give tls.cert_file/key_file or username/password");
        }
        if (bmin.compareTo(bmax) > 0) {
            s.error("backoff_min", "must not exceed backoff_max");
        }
        s.finish();
        return new UplinkConfig(url, protocol, clientId, prefix, ca, cert, key, username, password, insecure,
                batchReadings, batchBytes, window, bmin, bmax, keepAlive, connectTimeout, statusInterval, backlogMaxRate, payload);
    }
}
