package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.Settings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the local technician endpoint (CoAP over DTLS 1.2 with the per-device PSK).
 *
 * @param bindAddress      address the UDP socket binds to while open (default all interfaces)
 * @param port             UDP port while open (default {@value #DEFAULT_PORT}, the CoAPs port of RFC 7252 §12.8); 0 = any free port (tests)
 * @param pskIdentity      the PSK identity the technician's client presents (default {@value #DEFAULT_IDENTITY})
 * @param openWindow       how long the endpoint stays open after a button press or {@code provision open}; at most {@link #MAX_OPEN_WINDOW}
 * @param maxConnections   DTLS connections kept at once ({@code DTLS_MAX_CONNECTIONS}); a gateway needs a handful
 * @param staleAfter       an idle DTLS connection may be evicted for a new one after this long
 * @param failureLimit     handshake failures from one IP address within {@code failureWindow} that lock it out
 * @param failureWindow    sliding window over which failures are counted
 * @param lockout          how long a locked-out address gets nothing at all
 * @param maxBodyBytes     largest request or response body (bundles arrive block-wise, RFC 7959)
 * @param readTimeout      how long a {@code read} request may wait for the meter
 */
public record TechEndpointConfig(
        InetAddress bindAddress,
        int port,
        String pskIdentity,
        Duration openWindow,
        int maxConnections,
        Duration staleAfter,
        int failureLimit,
        Duration failureWindow,
        Duration lockout,
        int maxBodyBytes,
        Duration readTimeout) {

    public static final int DEFAULT_PORT = 5684;
    public static final String DEFAULT_IDENTITY = "technician";
    /** The endpoint never stays open longer than this after one opening signal. */
    public static final Duration MAX_OPEN_WINDOW = Duration.ofMinutes(15);

    public TechEndpointConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(pskIdentity, "pskIdentity");
        Objects.requireNonNull(openWindow, "openWindow");
        Objects.requireNonNull(staleAfter, "staleAfter");
        Objects.requireNonNull(failureWindow, "failureWindow");
        Objects.requireNonNull(lockout, "lockout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (pskIdentity.isBlank()) throw new IllegalArgumentException("pskIdentity is blank");
        if (openWindow.isNegative() || openWindow.isZero() || openWindow.compareTo(MAX_OPEN_WINDOW) > 0) {
            throw new IllegalArgumentException("openWindow must be > 0 and <= 15 minutes: " + openWindow);
        }
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1");
        if (failureLimit < 1) throw new IllegalArgumentException("failureLimit must be >= 1");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be >= 1024");
    }

    /** Port 5684 on all interfaces, 15 minutes open, 4 connections, 5 failures a minute lock an address out for 10 minutes. */
    public static TechEndpointConfig defaults() {
        return new TechEndpointConfig(anyAddress(), DEFAULT_PORT, DEFAULT_IDENTITY, MAX_OPEN_WINDOW, 4,
                Duration.ofSeconds(10), 5, Duration.ofMinutes(1), Duration.ofMinutes(10), 256 * 1024, Duration.ofSeconds(30));
    }

    /**
     * Binds the {@code technician_endpoint} section: {@code bind}, {@code port}, {@code identity},
     * {@code open_window}, {@code max_connections}, {@code failure_limit}, {@code failure_window},
     * {@code lockout}, {@code max_body}, {@code read_timeout}. Errors are recorded on {@code s}.
     */
    public static TechEndpointConfig from(Settings s) {
        TechEndpointConfig d = defaults();
        String bind = s.string("bind", "0.0.0.0");
        InetAddress address = d.bindAddress();
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            s.error("bind", "not an IP address: " + bind);
        }
        TechEndpointConfig c = new TechEndpointConfig(address,
                s.integer("port", d.port(), 1, 65535),
                s.string("identity", d.pskIdentity()),
                s.duration("open_window", d.openWindow(), Duration.ofSeconds(10), MAX_OPEN_WINDOW),
                s.integer("max_connections", d.maxConnections(), 1, 64),
                s.duration("stale_after", d.staleAfter(), Duration.ofSeconds(5), Duration.ofHours(1)),
                s.integer("failure_limit", d.failureLimit(), 1, 1000),
                s.duration("failure_window", d.failureWindow(), Duration.ofSeconds(1), Duration.ofHours(1)),
                s.duration("lockout", d.lockout(), Duration.ofSeconds(1), Duration.ofDays(1)),
                (int) s.bytes("max_body", d.maxBodyBytes(), 1024, 16L * 1024 * 1024),
                s.duration("read_timeout", d.readTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)));
        s.finish();
        return c;
    }

    public TechEndpointConfig withPort(int newPort) {
        return new TechEndpointConfig(bindAddress, newPort, pskIdentity, openWindow, maxConnections, staleAfter,
                failureLimit, failureWindow, lockout, maxBodyBytes, readTimeout);
    }

    public TechEndpointConfig withBindAddress(InetAddress address) {
        return new TechEndpointConfig(address, port, pskIdentity, openWindow, maxConnections, staleAfter,
                failureLimit, failureWindow, lockout, maxBodyBytes, readTimeout);
    }

    public TechEndpointConfig withOpenWindow(Duration window) {
        return new TechEndpointConfig(bindAddress, port, pskIdentity, window, maxConnections, staleAfter,
                failureLimit, failureWindow, lockout, maxBodyBytes, readTimeout);
    }

    public TechEndpointConfig withLockout(int limit, Duration window, Duration lockoutFor) {
        return new TechEndpointConfig(bindAddress, port, pskIdentity, openWindow, maxConnections, staleAfter,
                limit, window, lockoutFor, maxBodyBytes, readTimeout);
    }

    public TechEndpointConfig withStaleAfter(Duration stale) {
        return new TechEndpointConfig(bindAddress, port, pskIdentity, openWindow, maxConnections, stale,
                failureLimit, failureWindow, lockout, maxBodyBytes, readTimeout);
    }

    public TechEndpointConfig withMaxConnections(int max) {
        return new TechEndpointConfig(bindAddress, port, pskIdentity, openWindow, max, staleAfter,
                failureLimit, failureWindow, lockout, maxBodyBytes, readTimeout);
    }

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
