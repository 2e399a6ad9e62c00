package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.PublishTag;
import io.meterlink.core.uplink.internal.Paho3Session;
import io.meterlink.core.uplink.internal.Paho5Session;
import io.meterlink.core.uplink.internal.SessionSpec;

import io.meterlink.core.tls.TlsContexts;
import io.meterlink.core.tls.TlsMaterial;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.core.status.CommandStats;
import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.SocketFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Publishes the buffer's readings to the utility's MQTT broker and the gateway's retained status.
 *
 * <p>One uplink thread makes every client call; Paho's callbacks only enqueue events for it (Paho
 * deadlocks when called from its callbacks). The thread connects (own reconnect loop, exponential
 * backoff with full jitter), publishes QoS 1 batches read from the buffer within a bounded in-flight
 * window, confirms readings in the buffer on PUBACK, and after every reconnect sends again everything
 * still unconfirmed. See {@code docs/payloads.md} for topics, payloads and the refusal policy.
 *
 * <p>This class wires the parts and is the uplink's API: {@link SessionLoop} (the thread: connect,
 * backoff, serve, trials), {@link Topics}, {@link StatusPublisher}, {@link CommandChannel} (commands
 * and replies), {@link AckPolicy} (confirm, dead-letter or keep), {@link UplinkState} (figures and
 * the last error); each publish carries a {@link PublishTag} saying what it was.
 *
 * <p>Thread-safe: {@link #start()}, {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class MqttUplink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);

    /** How long {@link #close()} waits for outstanding acknowledgements and the final status. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /**
     * Largest command body taken (a signed bundle: its header line and a bundle of at most 1 MiB); a
     * larger one is answered {@code too_large}.
     */
    public static final int MAX_COMMAND_BYTES = 1024 * 1024 + 4096;
    /**
     * Largest inbound MQTT packet: a command of {@link #MAX_COMMAND_BYTES} plus its topic and header.
     * Announced at CONNECT (MQTT 5: the broker drops larger messages for us) and enforced on the socket
     * (MQTT 3.1.1: the payload is discarded unread and the command answered {@code too_large}).
     */
    public static final int MAX_PACKET_BYTES = MAX_COMMAND_BYTES + 64 * 1024 + 16;
    /** Commands waiting for the uplink thread; one more is answered {@code busy}. */
    public static final int MAX_PENDING_COMMANDS = 16;
    /** Replies waiting to be published; one more is dropped and counted. */
    public static final int MAX_PENDING_REPLIES = 64;

    private final UplinkConfig cfg;
    private final Buffer buffer;
    private final BlockingQueue<UplinkEvent> events = new LinkedBlockingQueue<>();
    private final UplinkState state = new UplinkState();
    private final CommandChannel commands;
    private final SessionLoop loop;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;
    private final AtomicReference<Checked> justChecked = new AtomicReference<>();

    /**
     * With the TLS files as the configuration check parsed them: the first TLS context is built from
     * {@code parsedTls} (files it did not come from are read), which is not kept.
     */
    public MqttUplink(UplinkConfig cfg, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock,
                      TlsMaterial parsedTls) {
        this(cfg, gatewayId, buffer, status, clock, null, new Backoff(cfg.backoffMin(), cfg.backoffMax()), parsedTls);
    }

    /** For tests: a given session factory (null = Paho) and backoff. */
    MqttUplink(UplinkConfig cfg, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock,
               MqttSession.Factory sessions, Backoff backoff) {
        this(cfg, gatewayId, buffer, status, clock, sessions, backoff, TlsMaterial.none());
    }

    private MqttUplink(UplinkConfig cfg, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock,
                       MqttSession.Factory sessions, Backoff backoff, TlsMaterial parsedTls) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(gatewayId, "gatewayId");
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(backoff, "backoff");
        validate(cfg);
        Checked checked = snapshot(cfg, Objects.requireNonNull(parsedTls, "parsedTls"));
        justChecked.set(checked);
        UplinkSettings initial = checked.settings();
        Topics topics = Topics.of(cfg.topicPrefix(), gatewayId);
        JsonPayloads payloads = new JsonPayloads(gatewayId);
        Drain drain = new Drain(buffer, PayloadFormat.of(cfg.payload(), payloads), cfg.batchMaxReadings(), cfg.batchMaxBytes(), clock, cfg.backlogMaxRate());
        this.commands = new CommandChannel(topics, events::offer, state);
        SessionLoop.Parts parts = new SessionLoop.Parts(cfg, gatewayId, buffer, clock,
                sessions != null ? sessions : pahoFactory(gatewayId, topics, payloads), backoff, drain, topics, state,
                new StatusPublisher(payloads, status, topics.status(), state), commands,
                new AckPolicy(buffer, drain, state, backoff, clock, topics.readings()));
        this.loop = new SessionLoop(parts, events, initial);
    }

    private static void validate(UplinkConfig cfg) {
        if (cfg.url() == null) throw new IllegalArgumentException("uplink url is missing");
        UplinkConfig.SchemeProblem scheme = cfg.schemeProblem();
        if (scheme != null) throw new IllegalArgumentException(scheme.toString());
    }

    /** Settings checked now, with the TLS context the check built (null for plaintext). */
    private record Checked(UplinkSettings settings, SocketFactory socketFactory) { }

    private static Checked snapshot(UplinkConfig cfg, TlsMaterial parsed) {
        try { // fail early on an unreadable CA file; certificate and key are read again at every later connect for renewals
            UplinkSettings s = UplinkSettings.of(cfg, parsed);
            return new Checked(s, cfg.isTls() ? parsed.socketFactory(s.trustAnchors(), cfg.certFile(), cfg.keyFile()) : null);
        } catch (TlsContexts.TlsSetupException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The TLS context built when {@code now} was checked, once: it serves the first attempt with those
     * settings (start-up time); every later attempt reads the certificate and key files again (renewals).
     */
    private SocketFactory firstSocketFactory(UplinkSettings now) {
        Checked c = justChecked.getAndSet(null);
        return c != null && c.settings() == now ? c.socketFactory() : null;
    }

    /** Sessions built from the loop's active settings, taken once per attempt. */
    private MqttSession.Factory pahoFactory(String gatewayId, Topics topics, JsonPayloads payloads) {
        return listener -> {
            UplinkSettings now = loop.active();
            UplinkConfig c = now.cfg();
            Optional<SocketFactory> sf = Optional.empty();
            if (c.isTls()) {
                try {
                    SocketFactory first = firstSocketFactory(now);
                    sf = Optional.of(first != null ? first : TlsContexts.socketFactory(now.trustAnchors(), c.certFile(), c.keyFile()));
                } catch (TlsContexts.TlsSetupException e) {
                    throw new MqttSession.MqttSessionException(e.getMessage(), e);
                }
            }
            SessionSpec spec = new SessionSpec(c.url(), c.clientId() == null ? gatewayId : c.clientId(), sf,
                    c.username(), c.password().map(p -> p.reveal()),
                    (int) c.keepAlive().toSeconds(), (int) Math.max(1, c.connectTimeout().toSeconds()),
                    cfg.inflightWindow() + 4, topics.status(), payloads.lastWill(), maxPacketBytes(c));
            return c.protocol() == UplinkConfig.Protocol.MQTT311
                    ? new Paho3Session(spec, listener) : new Paho5Session(spec, listener);
        };
    }

    /**
     * Tries {@code next} (a new broker URL and/or CA; the rest of its settings only for the connection):
     * drops the current connection and connects with {@code next}; it is kept once the broker accepts
     * the connection (CONNACK success, {@link TrialListener#accepted}); with no accepted connection
     * within {@code bound}, the settings in use before come back ({@link TrialListener#rolledBack})
     * and the uplink reconnects with them at once. Readings stay in the buffer throughout. Any thread.
     *
     * @throws IllegalArgumentException when {@code next} is unusable (bad URL, unreadable CA); nothing changes
     */
    public void trial(UplinkConfig next, Duration bound, TrialListener listener) {
        validate(next);
        Checked checked = snapshot(next, TlsMaterial.none());
        justChecked.set(checked);
        events.offer(new UplinkEvent.Trial(checked.settings(), bound, Objects.requireNonNull(listener, "listener")));
    }

    /** The heartbeat the uplink thread beats (docs/packaging.md, "Watchdog"); call before {@link #start()}. */
    public void heartbeat(Heartbeat heartbeat) {
        loop.heartbeat(heartbeat);
    }

    /**
     * The Maximum Packet Size announced at CONNECT and enforced on the socket: {@link #MAX_PACKET_BYTES},
     * or more when batches may be larger. Paho 1.2.5 also applies the value we announce to what it
     * sends (paho.mqtt.java #987: it swaps the two directions), so it must leave room for our own
     * largest batch, or every larger batch would fail with "Outgoing packet too large".
     */
    static int maxPacketBytes(UplinkConfig cfg) {
        return Math.max(MAX_PACKET_BYTES, cfg.batchMaxBytes() + 64 * 1024 + 16);
    }

    /** Starts the uplink thread; it connects and keeps connecting until {@link #close()}. */
    public void start() {
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("already started");
        buffer.onCommit(loop::wake);
        Thread t = new Thread(loop::run, "meterlink-uplink");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Subscribes to {@code <prefix>/<gw>/cmd/#} (now if connected, and after every connect) and hands
     * each command to {@code handler} on the uplink thread. Any thread.
     */
    public void commands(CommandHandler handler) {
        commands.handler(handler);
    }

    /**
     * Drops the current connection cleanly and connects again at once, building the TLS context from
     * the (possibly renewed) certificate and key files again. Unacknowledged readings stay in the
     * buffer and are sent again. Any thread.
     */
    public void reconnect() {
        events.offer(UplinkEvent.Reconnect.INSTANCE);
    }

    /**
     * True when the last connection attempt was refused because of our credentials (the broker
     * rejected the client certificate in the TLS handshake, or refused the CONNECT as not
     * authorised); false again after the next successful connect. Any thread.
     */
    public boolean credentialsRefused() {
        return state.credentialsRefused();
    }

    /** The URL the next connection attempt uses (tests). */
    String activeUrl() { return loop.active().cfg().url(); }

    /** Command channel counters; cheap, any thread. */
    public CommandStats commandStats() {
        return commands.stats();
    }

    /** Current counters; cheap, any thread. */
    public UplinkStats stats() {
        return state.stats(commands.stats());
    }

    /**
     * Publishes a final retained {@code offline} status when connected, waits briefly for outstanding
     * acknowledgements, disconnects cleanly (no last will) and stops the thread.
     */
    @Override
    public void close() {
        loop.stop();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(cfg.connectTimeout().plus(CLOSE_GRACE).plusSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) log.warn("uplink thread did not stop in time");
        }
    }
}
