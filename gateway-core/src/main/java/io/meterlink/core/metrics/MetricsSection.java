package io.meterlink.core.metrics;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.keys.MetricsKeys;
import io.meterlink.core.config.ConfigSection;
import io.meterlink.core.config.GatewayConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Declares the {@code metrics:} section (registered in {@code META-INF/services}):
 * <pre>
 * metrics:
 *   listen: 127.0.0.1:9464     # optional; no key, no endpoint (the default)
 * </pre>
 * The address must be a loopback one: the endpoint is for a collector on the gateway itself (or an
 * SSH tunnel), never for the network. Stateless.
 */
public final class MetricsSection implements ConfigSection<MetricsSection.Settings> {
    public static final String KEY = "metrics";

    /** The bound section: where to listen, when at all. */
    public record Settings(Optional<InetSocketAddress> listen) {
        public static Settings off() { return new Settings(Optional.empty()); }
    }

    @Override public String key() { return KEY; }

    @Override public List<KeyGroup> keys() { return List.of(MetricsKeys.GROUP); }

    @Override public Settings bind(io.meterlink.core.api.config.Settings s) {
        String listen = s.get(MetricsKeys.LISTEN);
        InetSocketAddress address = listen == null ? null : parse(listen);
        if (listen != null && address == null) {
            s.error(MetricsKeys.LISTEN, "must be a loopback address and a port, e.g. 127.0.0.1:9464 or [::1]:9464");
        }
        s.finish();
        if (listen != null && address == null) return null;
        return new Settings(Optional.ofNullable(address));
    }

    /** {@code host:port} with a loopback host (IP literal or {@code localhost}), or {@code null}. */
    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) return null;
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 0 || port > 65535) return null; // 0: any free port (tests)
        if (!host.equals("localhost") && !host.matches("[0-9.]+|[0-9A-Fa-f:]+")) return null; // no name lookups
        try {
            InetAddress a = host.equals("localhost") ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
            return a.isLoopbackAddress() ? new InetSocketAddress(a, port) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The section of {@code config}; off when absent or when the loader did not know it. */
    public static Settings of(GatewayConfig config) {
        return config.section(new MetricsSection(), Settings.class).orElseGet(Settings::off);
    }
}
