package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.tls.TlsMaterial;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code uplink:} section: how the gateway reaches the utility's MQTT broker. Bound from the keys
 * {@link UplinkKeys} declares (defaults and bounds there).
 *
 * @param broker           the broker URL, parsed once: {@code ssl://host:port} (TLS) or {@code tcp://host:port}
 *                         (plaintext, only with allowInsecure); {@code null} only in a config with errors
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
        BrokerUrl broker,
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

    /** With the URL as text, parsed here ({@link BrokerUrl#parse}: an invalid one throws {@link IllegalArgumentException}). */
    public UplinkConfig(String url, Protocol protocol, String clientId, String topicPrefix, Optional<Path> caFile,
                        Optional<Path> certFile, Optional<Path> keyFile, Optional<String> username, Optional<Secret> password,
                        boolean allowInsecure, int batchMaxReadings, int batchMaxBytes, int inflightWindow, Duration backoffMin,
                        Duration backoffMax, Duration keepAlive, Duration connectTimeout, Duration statusInterval,
                        int backlogMaxRate) {
        this(url == null ? null : BrokerUrl.parse(url), protocol, clientId, topicPrefix, caFile, certFile, keyFile, username,
                password, allowInsecure, batchMaxReadings, batchMaxBytes, inflightWindow, backoffMin, backoffMax, keepAlive,
                connectTimeout, statusInterval, backlogMaxRate, Payload.JSON);
    }

    /** This configuration with readings batches in {@code format}. */
    public UplinkConfig withPayload(Payload format) {
        return new UplinkConfig(broker, protocol, clientId, topicPrefix, caFile, certFile, keyFile, username, password, allowInsecure,
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

    /** The normalised URL as the MQTT client takes it ({@code ssl://host:port}), {@code null} in a config with errors. */
    public String url() { return broker == null ? null : broker.toString(); }

    public UplinkConfig {
        if (payload == null) payload = Payload.JSON;
    }

    /** Whether the broker is reached over TLS ({@code ssl://}). */
    public boolean isTls() { return broker != null && broker.tls(); }

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
        return bind(s, gatewayId, files, parsed -> { });
    }

    /** As {@link #bind(Settings, String, ConfigLoader.FileChecks)}, handing what the file check parsed to {@code parsedTls}. */
    static UplinkConfig bind(Settings s, String gatewayId, ConfigLoader.FileChecks files, Consumer<TlsMaterial> parsedTls) {
        BrokerUrl broker = null;
        String rawUrl = s.get(UplinkKeys.URL);
        if (rawUrl != null) {
            try {
                broker = BrokerUrl.parse(rawUrl);
            } catch (IllegalArgumentException e) {
                s.error(UplinkKeys.URL, e.getMessage()); // never the value: it may hold a password
            }
        }
        Protocol protocol = "mqtt311".equals(s.get(UplinkKeys.PROTOCOL)) ? Protocol.MQTT311 : Protocol.MQTT5;
        String clientId = s.get(UplinkKeys.CLIENT_ID, gatewayId);
        String prefix = s.get(UplinkKeys.TOPIC_PREFIX);
        String prefixProblem = prefix == null ? null : topicPrefixProblem(prefix);
        if (prefixProblem != null) s.error(UplinkKeys.TOPIC_PREFIX, prefixProblem);
        Settings tls = s.get(UplinkKeys.TLS);
        Optional<Path> ca = tls.get(UplinkKeys.CA_FILE);
        Optional<Path> cert = tls.get(UplinkKeys.CERT_FILE);
        Optional<Path> key = tls.get(UplinkKeys.KEY_FILE);
        if (files != ConfigLoader.FileChecks.NONE) parsedTls.accept(TlsFiles.check(tls, ca, cert, key, files == ConfigLoader.FileChecks.ALL));
        tls.finish();
        Optional<String> username = Optional.ofNullable(s.get(UplinkKeys.USERNAME));
        Optional<Secret> password = s.get(UplinkKeys.PASSWORD);
        boolean insecure = s.get(UplinkKeys.ALLOW_INSECURE);
        int batchReadings = s.get(UplinkKeys.BATCH_MAX_READINGS);
        int batchBytes = (int) (long) s.get(UplinkKeys.BATCH_MAX_BYTES);
        int window = s.get(UplinkKeys.INFLIGHT_WINDOW);
        Duration bmin = s.get(UplinkKeys.BACKOFF_MIN);
        Duration bmax = s.get(UplinkKeys.BACKOFF_MAX);
        Duration keepAlive = s.get(UplinkKeys.KEEP_ALIVE);
        Duration connectTimeout = s.get(UplinkKeys.CONNECT_TIMEOUT);
        Duration statusInterval = s.get(UplinkKeys.STATUS_INTERVAL);
        int backlogMaxRate = s.get(UplinkKeys.BACKLOG_MAX_RATE);
        Payload payload = "compact".equals(s.get(UplinkKeys.PAYLOAD)) ? Payload.COMPACT : Payload.JSON;

        SchemeProblem scheme = schemeProblem(broker, insecure, ca.isPresent());
        if (scheme != null) s.error(scheme.key().name(), scheme.message());
        if (cert.isPresent() != key.isPresent()) {
            s.error(UplinkKeys.TLS, "cert_file and key_file go together");
        }
        if (username.isPresent() != password.isPresent()) {
            s.error(username.isPresent() ? UplinkKeys.PASSWORD : UplinkKeys.USERNAME, "username and password go together");
        }
        if (broker != null && broker.tls() && cert.isEmpty() && username.isEmpty()) {
            s.error(UplinkKeys.TLS, "no authentication: give tls.cert_file/key_file or username/password");
        }
        if (bmin.compareTo(bmax) > 0) {
            s.error(UplinkKeys.BACKOFF_MIN, "must not exceed backoff_max");
        }
        s.finish();
        return new UplinkConfig(broker, protocol, clientId, prefix, ca, cert, key, username, password, insecure,
                batchReadings, batchBytes, window, bmin, bmax, keepAlive, connectTimeout, statusInterval, backlogMaxRate, payload);
    }

    /** A key and what is wrong with it. */
    public record SchemeProblem(ConfigKey<?> key, String message) {
        @Override public String toString() { return "uplink." + key.name() + ": " + message; }
    }

    /**
     * What the broker URL's scheme asks of the other keys, checked once for {@link #bind} and for an
     * uplink built in code: plaintext only with {@code allow_insecure}, TLS only with a pinned CA.
     * {@code null} when nothing is wrong (or there is no URL).
     */
    public static SchemeProblem schemeProblem(BrokerUrl broker, boolean allowInsecure, boolean hasCaFile) {
        if (broker == null) return null;
        if (!broker.tls() && !allowInsecure) {
            return new SchemeProblem(UplinkKeys.URL, "plaintext tcp:// is refused; use ssl:// or set allow_insecure: true for development");
        }
        if (broker.tls() && !hasCaFile) return new SchemeProblem(UplinkKeys.CA_FILE, "required for ssl:// (the utility CA is pinned)");
        return null;
    }

    /** {@link #schemeProblem} of this configuration. */
    public SchemeProblem schemeProblem() {
        return schemeProblem(broker, allowInsecure, caFile.isPresent());
    }
}
