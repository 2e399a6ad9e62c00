package io.meterlink.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A broker URL, parsed once as a URI: {@code ssl://host[:port]} (TLS) or {@code tcp://host[:port]}
 * (plaintext, development only). The host is a name or an IP literal ({@code [::1]} for IPv6); the
 * port is 1 to 65535 and defaults to 8883 (ssl) or 1883 (tcp). Refused: any other scheme, a missing
 * or malformed host, a port out of range, user-info ({@code user:password@}: credentials go in the
 * {@code username}/{@code password} keys, never in a URL that ends up in logs), a path other than
 * {@code /}, a query or a fragment.
 *
 * <p>Error messages never repeat the URL: it may hold a password. {@link #toString()} is the
 * normalised {@code scheme://host:port}. Immutable.
 */
public record BrokerUrl(Scheme scheme, String host, int port) {

    public enum Scheme {
        SSL(8883), TCP(1883);

        private final int defaultPort;

        Scheme(int defaultPort) { this.defaultPort = defaultPort; }

        public String text() { return name().toLowerCase(Locale.ROOT); }
    }

    public BrokerUrl {
        if (scheme == null || host == null || host.isEmpty()) throw new IllegalArgumentException("scheme and host are required");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be between 1 and 65535");
    }

    /** Parses {@code text}; the exception's message says what is wrong without repeating the text. */
    public static BrokerUrl parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("must not be empty");
        String t = text.trim();
        int sep = t.indexOf("://");
        if (sep < 0) throw new IllegalArgumentException("must be ssl://host:port (TLS) or tcp://host:port (plaintext, development only)");
        Scheme scheme = schemeOf(t).orElseThrow(
                () -> new IllegalArgumentException("scheme must be ssl:// (TLS) or tcp:// (plaintext, development only)"));
        int authorityEnd = indexOfAny(t, sep + 3, "/?#");
        String authority = t.substring(sep + 3, authorityEnd < 0 ? t.length() : authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("must not hold a user name or password (user-info); use the username and password keys");
        }
        URI uri;
        try {
            uri = new URI(t).parseServerAuthority();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(describe(authority));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) throw new IllegalArgumentException(describe(authority));
        int port = uri.getPort() < 0 ? scheme.defaultPort : uri.getPort();
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be between 1 and 65535");
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !"/".equals(path)) throw new IllegalArgumentException("must not have a path");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) throw new IllegalArgumentException("must not have a query or fragment");
        return new BrokerUrl(scheme, host, port);
    }

    /**
     * The scheme {@code text} names ({@code ssl://…}, {@code tcp://…}, case-insensitive), whatever the
     * rest is; empty for any other or none. For checks on a URL that is not parsed here (a bundle's guard rails).
     */
    public static java.util.Optional<Scheme> schemeOf(String text) {
        if (text == null) return java.util.Optional.empty();
        String t = text.trim();
        int sep = t.indexOf("://");
        if (sep < 0) return java.util.Optional.empty();
        return switch (t.substring(0, sep).toLowerCase(Locale.ROOT)) {
            case "ssl" -> java.util.Optional.of(Scheme.SSL);
            case "tcp" -> java.util.Optional.of(Scheme.TCP);
            default -> java.util.Optional.empty();
        };
    }

    /** What is wrong with an authority that {@link URI} refused, without repeating it. */
    private static String describe(String authority) {
        if (authority.isEmpty()) return "no host: expected ssl://host:port";
        if (authority.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "the host must not contain spaces or control characters";
        }
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && colon > authority.lastIndexOf(']')) {
            String p = authority.substring(colon + 1);
            if (p.isEmpty() || !p.chars().allMatch(Character::isDigit)) return "the port must be a number between 1 and 65535";
            if (p.length() > 5 || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) return "port must be between 1 and 65535";
            if (colon == 0) return "no host: expected ssl://host:port";
        }
        return "not a valid host[:port]: expected a host name or IP address, e.g. ssl://mqtt.example.org:8883";
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }

    /**
     * {@code text} fit to print or log: {@code scheme://***@host…} when it holds user-info, as given
     * otherwise. For URLs that may not have been validated (a rejected configuration value).
     */
    public static String redact(String text) {
        if (text == null) return null;
        int scheme = text.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int end = indexOfAny(text, start, "/?#");
        int at = text.lastIndexOf('@', end < 0 ? text.length() - 1 : end - 1);
        if (at < start) return text;
        return text.substring(0, start) + "***@" + text.substring(at + 1);
    }

    public boolean tls() { return scheme == Scheme.SSL; }

    /** The URL as the MQTT client takes it: {@code ssl://host:port}, IPv6 literals in brackets. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme.text() + "://" + h + ":" + port;
    }
}
