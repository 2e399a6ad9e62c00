package io.meterlink.provisioning.tech;

import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The local technician endpoint: CoAP (RFC 7252) over DTLS 1.2 (RFC 6347) with the per-device PSK,
 * closed by default. {@link #open} binds the UDP socket for at most the configured window
 * (15 minutes at most); when the window ends, or on {@link #closeWindow}, the server is destroyed and
 * the socket unbound, so a closed endpoint answers nothing at all.
 *
 * <p>Hardening: cookie exchange (HelloVerifyRequest) always on, a small connection limit, and a
 * {@link HandshakeGuard} that locks out an address after repeated handshake failures. The PSK is
 * handed only to Scandium's PSK store and never logged.
 *
 * <p>Thread-safe.
 */
public final class TechnicianEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TechnicianEndpoint.class);

    private final TechEndpointConfig config;
    private final TechnicianPsk psk;
    private final TechServices services;
    private final Clock clock;
    private final HandshakeGuard guard;
    private final ScheduledExecutorService timer;

    private CoapServer server;
    private InetSocketAddress boundAddress;
    private Instant openUntil;
    private ScheduledFuture<?> autoClose;
    private boolean shutDown;

    public TechnicianEndpoint(TechEndpointConfig config, TechnicianPsk psk, TechServices services, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.psk = Objects.requireNonNull(psk, "psk");
        this.services = Objects.requireNonNull(services, "services");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.guard = new HandshakeGuard(clock, config.failureLimit(), config.failureWindow(), config.lockout());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meterlink-tech-window");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the endpoint (binds the socket) until now + the configured window; when already open,
     * the window starts again from now. Never longer than {@link TechEndpointConfig#MAX_OPEN_WINDOW}
     * after the last opening signal.
     *
     * @param reason what opened it, for the log ({@code "service button"}, {@code "provision open"})
     * @throws UncheckedIOException when the socket cannot be bound
     */
    public synchronized void open(String reason) {
        if (shutDown) throw new IllegalStateException("technician endpoint is shut down");
        if (server == null) {
            start();
        }
        openUntil = clock.instant().plus(config.openWindow());
        if (autoClose != null) autoClose.cancel(false);
        long delayMs = config.openWindow().toMillis();
        autoClose = timer.schedule(this::windowEnded, delayMs, TimeUnit.MILLISECONDS);
        LOG.info("Technician endpoint open on udp {} until {} ({})", boundAddress, openUntil, reason);
    }

    private synchronized void windowEnded() {
        if (server == null || openUntil == null) return;
        long leftMs = java.time.Duration.between(clock.instant(), openUntil).toMillis();
        if (leftMs <= 50) {
            stop("window ended");
            return;
        }
        // the clock says not yet (it was set back, or a test holds it): look again when it should be over
        autoClose = timer.schedule(this::windowEnded, leftMs, TimeUnit.MILLISECONDS);
    }

    /** Closes the endpoint now: the server is destroyed and the socket unbound. Idempotent. */
    public synchronized void closeWindow() {
        if (autoClose != null) autoClose.cancel(false);
        autoClose = null;
        if (server != null) stop("closed on request");
    }

    /** Whether the socket is bound and answering. */
    public synchronized boolean isOpen() { return server != null; }

    /** The bound UDP address while open. */
    public synchronized Optional<InetSocketAddress> address() { return Optional.ofNullable(boundAddress); }

    /** When the endpoint closes by itself, while open. */
    public synchronized Optional<Instant> openUntil() { return server == null ? Optional.empty() : Optional.ofNullable(openUntil); }

    /** Handshake failure counts and lock-outs. */
    public HandshakeGuard guard() { return guard; }

    /** Closes the window and stops the timer for good. */
    @Override public void close() {
        synchronized (this) {
            shutDown = true;
            closeWindow();
        }
        timer.shutdownNow();
    }

    private void start() {
        Configuration coap = configuration();
        DtlsGuardAdapter adapter = new DtlsGuardAdapter(guard);
        byte[] key = psk.key();
        DtlsConnectorConfig dtls;
        try {
            dtls = DtlsConnectorConfig.builder(coap)
                    .setAddress(new InetSocketAddress(config.bindAddress(), config.port()))
                    .setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), key))
                    .setDatagramFilter(adapter)
                    .setSessionListener(adapter)
                    .setLoggingTag("tech")
                    .build();
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        DTLSConnector connector = new DTLSConnector(dtls);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(coap).setConnector(connector).build();
        CoapServer s = new CoapServer(coap);
        s.addEndpoint(endpoint);
        s.add(TechResources.create(services, guard, clock, this::openUntil, config.readTimeout()));
        try {
            s.start();
        } catch (IllegalStateException e) {
            s.destroy();
            throw new UncheckedIOException(new IOException("cannot bind udp " + config.bindAddress().getHostAddress()
                    + ":" + config.port() + ": " + e.getMessage(), e));
        }
        Endpoint started = s.getEndpoints().get(0);
        server = s;
        boundAddress = started.getAddress();
    }

    private void stop(String why) {
        CoapServer s = server;
        server = null;
        InetSocketAddress was = boundAddress;
        boundAddress = null;
        openUntil = null;
        try {
            s.destroy();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the technician endpoint failed", e);
        }
        LOG.info("Technician endpoint on udp {} closed ({})", was, why);
    }

    /** Our own configuration, never Californium's properties file in the working directory. */
    private Configuration configuration() {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, config.maxBodyBytes());
        c.set(CoapConfig.MAX_ACTIVE_PEERS, config.maxConnections());
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 2);
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, config.maxConnections());
        c.set(DtlsConfig.DTLS_STALE_CONNECTION_THRESHOLD, config.staleAfter().toSeconds(), TimeUnit.SECONDS);
        // cookie exchange against amplification and spoofed sources (RFC 6347 §4.2.1; Californium #1622)
        c.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, true);
        c.set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST_FOR_PSK, true);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        TechCipherSuites.apply(c); // ECDHE-PSK only: forward secrecy
        return c;
    }

    Duration window() { return config.openWindow(); }
}
