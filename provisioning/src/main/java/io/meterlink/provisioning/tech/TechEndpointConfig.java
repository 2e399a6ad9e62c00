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

    public static final int DEFAULT_PORT = TechnicianKeys.DEFAULT_PORT;
    public static final String DEFAULT_IDENTITY = TechnicianKeys.DEFAULT_IDENTITY;
    /** The endpoint never stays open longer than this after one opening signal. */
    public static final Duration MAX_OPEN_WINDOW = (Duration) TechnicianKeys.OPEN_WINDOW.max();

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

    /** Every key at its declared default ({@link TechnicianKeys}): port 5684 on all interfaces, 15 minutes open, 4 connections, 5 failures a minute lock an address out for 10 minutes. */
    public static TechEndpointConfig defaults() {
        return new TechEndpointConfig(anyAddress(), DEFAULT_PORT, DEFAULT_IDENTITY, TechnicianKeys.OPEN_WINDOW.defaultValue(),
                TechnicianKeys.MAX_CONNECTIONS.defaultValue(), TechnicianKeys.STALE_AFTER.defaultValue(),
                TechnicianKeys.FAILURE_LIMIT.defaultValue(), TechnicianKeys.FAILURE_WINDOW.defaultValue(),
                TechnicianKeys.LOCKOUT.defaultValue(), (int) (long) TechnicianKeys.MAX_BODY.defaultValue(),
                TechnicianKeys.READ_TIMEOUT.defaultValue());
    }

    /**
     * Binds the {@code technician_endpoint} section: {@code bind}, {@code port}, {@code identity},
     * {@code open_window}, {@code max_connections}, {@code failure_limit}, {@code failure_window},
     * {@code lockout}, {@code max_body}, {@code read_timeout}. Errors are recorded on {@code s}.
     */
    public static TechEndpointConfig from(Settings s) {
        TechEndpointConfig d = defaults();
        String bind = s.get(TechnicianKeys.BIND);
        InetAddress address = d.bindAddress();
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            s.error(TechnicianKeys.BIND, "not an IP address: " + bind);
        }
        TechEndpointConfig c = new TechEndpointConfig(address,
                s.get(TechnicianKeys.PORT),
                s.get(TechnicianKeys.IDENTITY),
                s.get(TechnicianKeys.OPEN_WINDOW),
                s.get(TechnicianKeys.MAX_CONNECTIONS),
                s.get(TechnicianKeys.STALE_AFTER),
                s.get(TechnicianKeys.FAILURE_LIMIT),
                s.get(TechnicianKeys.FAILURE_WINDOW),
                s.get(TechnicianKeys.LOCKOUT),
                (int) (long) s.get(TechnicianKeys.MAX_BODY),
                s.get(TechnicianKeys.READ_TIMEOUT));
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
