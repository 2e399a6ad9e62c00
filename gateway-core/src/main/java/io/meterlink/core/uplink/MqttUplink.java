package io.meterlink.core.uplink;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Thread-safe: {@link #start()}, {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class MqttUplink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);

    /** How long {@link #close()} waits for outstanding acknowledgements and the final status. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** A connection that lived this long counts as healthy: the backoff starts again from its minimum. */
    static final Duration HEALTHY_SESSION = Duration.ofSeconds(60);
    /** Longest wait between two heartbeats of the uplink thread (backoff pauses wait in slices of it). */
    static final Duration BEAT_SLICE = Duration.ofSeconds(1);
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
    private final String gatewayId;
    private final Buffer buffer;
    private final Supplier<StatusSnapshot> status;
    private final Clock clock;
    private final MqttSession.Factory sessions;
    private final Backoff backoff;
    private final JsonPayloads payloads;
    private final Drain drain;
    private final String readingsTopic;
    private final String statusTopic;
    private final String commandFilter;
    private final String commandPrefix;
    private final String replyTopic;

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile Thread thread;

    private volatile boolean connected;
    private volatile long reconnects;
    private volatile long published;
    private volatile long lastAckEpochMs;
    private volatile long refused;
    private volatile String lastError;
    private volatile CommandHandler commandHandler;
    /** The uplink loop's proof of life for the service watchdog: beaten at least every {@link #BEAT_SLICE}. */
    private volatile Heartbeat heartbeat = Heartbeat.NONE;
    private volatile boolean credentialsRefused;
    /** The settings every connection attempt uses (URL and CA together); replaced only by a trial. */
    private volatile UplinkSettings active;
    /** While a trial runs: the settings to return to, its deadline (clock millis) and listener; uplink thread only. */
    private UplinkSettings trialPrevious;
    private long trialDeadline;
    private TrialListener trialListener;
    /** Command replies that came while disconnected (uplink thread); sent after the next connect, the oldest dropped beyond the bound. */
    private final java.util.ArrayDeque<byte[]> heldReplies = new java.util.ArrayDeque<>();
    static final int HELD_REPLIES = 16;
    private final AtomicInteger pendingCommands = new AtomicInteger();
    private final AtomicInteger pendingReplies = new AtomicInteger();
    private final AtomicLong commandsReceived = new AtomicLong();
    private final AtomicLong commandsTooLarge = new AtomicLong();
    private final AtomicLong commandsBusy = new AtomicLong();
    private final AtomicLong commandsFailed = new AtomicLong();
    private final AtomicLong repliesDropped = new AtomicLong();
    private boolean reconnectNow;
    private long connects;
    /** Highest committed seq when the broker was last known unreachable (-1: not yet tried); the live/backlog split. */
    private long unreachableSeq = -1;
    private long generation;
    private long nextStatusTag = -1;
    private long statusTagInFlight;
    private String lastLoggedError;

    public MqttUplink(UplinkConfig cfg, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock) {
        this(cfg, gatewayId, buffer, status, clock, null, new Backoff(cfg.backoffMin(), cfg.backoffMax()));
    }

    /** For tests: a given session factory (null = Paho) and backoff. */
    MqttUplink(UplinkConfig cfg, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock,
               MqttSession.Factory sessions, Backoff backoff) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.status = Objects.requireNonNull(status, "status");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        validate(cfg);
        this.active = snapshot(cfg);
        this.sessions = sessions != null ? sessions : pahoFactory(gatewayId);
        this.payloads = new JsonPayloads(gatewayId);
        this.drain = new Drain(buffer, PayloadFormat.of(cfg.payload(), payloads), cfg.batchMaxReadings(), cfg.batchMaxBytes(), clock, cfg.backlogMaxRate());
        this.readingsTopic = cfg.topicPrefix() + "/" + gatewayId + "/readings";
        this.statusTopic = cfg.topicPrefix() + "/" + gatewayId + "/status";
        this.commandPrefix = cfg.topicPrefix() + "/" + gatewayId + "/cmd/";
        this.commandFilter = commandPrefix + "#";
        this.replyTopic = cfg.topicPrefix() + "/" + gatewayId + "/cmd-reply";
    }

    private static void validate(UplinkConfig cfg) {
        if (cfg.url() == null) throw new IllegalArgumentException("uplink url is missing");
        if (!cfg.isTls() && !cfg.allowInsecure()) {
            throw new IllegalArgumentException("plaintext tcp:// is refused; use ssl:// or set allow_insecure: true for development");
        }
        if (cfg.isTls() && cfg.caFile().isEmpty()) {
            throw new IllegalArgumentException("ssl:// needs tls.ca_file (the utility CA is pinned)");
        }
    }

    private static UplinkSettings snapshot(UplinkConfig cfg) {
        try { // fail early on an unreadable CA file; certificate and key are read again at every connect for renewals
            UplinkSettings s = UplinkSettings.of(cfg);
            if (cfg.isTls()) TlsContexts.socketFactory(s.trustAnchors(), cfg.certFile(), cfg.keyFile());
            return s;
        } catch (TlsContexts.TlsSetupException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Sessions built from the {@link #active} snapshot taken once per attempt. */
    private MqttSession.Factory pahoFactory(String gatewayId) {
        return listener -> {
            UplinkSettings now = active;
            UplinkConfig c = now.cfg();
            Optional<SocketFactory> sf = Optional.empty();
            if (c.isTls()) {
                try {
                    sf = Optional.of(TlsContexts.socketFactory(now.trustAnchors(), c.certFile(), c.keyFile()));
                } catch (TlsContexts.TlsSetupException e) {
                    throw new MqttSession.MqttSessionException(e.getMessage(), e);
                }
            }
            SessionSpec spec = new SessionSpec(c.url(), c.clientId() == null ? gatewayId : c.clientId(), sf,
                    c.username(), c.password().map(p -> p.reveal()),
                    (int) c.keepAlive().toSeconds(), (int) Math.max(1, c.connectTimeout().toSeconds()),
                    cfg.inflightWindow() + 4, statusTopic, payloads.lastWill(), maxPacketBytes(c));
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
        events.offer(new Trial(snapshot(next), bound, Objects.requireNonNull(listener, "listener")));
    }

    /** The heartbeat the uplink thread beats (docs/packaging.md, "Watchdog"); call before {@link #start()}. */
    public void heartbeat(Heartbeat heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
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
        buffer.onCommit(this::wake);
        Thread t = new Thread(this::run, "meterlink-uplink");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Subscribes to {@code <prefix>/<gw>/cmd/#} (now if connected, and after every connect) and hands
     * each command to {@code handler} on the uplink thread. Any thread.
     */
    public void commands(CommandHandler handler) {
        commandHandler = Objects.requireNonNull(handler, "handler");
        events.offer(Subscribe.INSTANCE);
    }

    /**
     * Drops the current connection cleanly and connects again at once, building the TLS context from
     * the (possibly renewed) certificate and key files again. Unacknowledged readings stay in the
     * buffer and are sent again. Any thread.
     */
    public void reconnect() {
        events.offer(Reconnect.INSTANCE);
    }

    /**
     * True when the last connection attempt was refused because of our credentials (the broker
     * rejected the client certificate in the TLS handshake, or refused the CONNECT as not
     * authorised); false again after the next successful connect. Any thread.
     */
    public boolean credentialsRefused() {
        return credentialsRefused;
    }

    /** The URL the next connection attempt uses (tests). */
    String activeUrl() { return active.cfg().url(); }

    /** Command channel counters; cheap, any thread. */
    public CommandStats commandStats() {
        return new CommandStats(commandsReceived.get(), commandsTooLarge.get(), commandsBusy.get(), commandsFailed.get(),
                repliesDropped.get());
    }

    /** Current counters; cheap, any thread. */
    public UplinkStats stats() {
        return new UplinkStats(connected, reconnects, published, lastAckEpochMs, refused, lastError, commandStats());
    }

    /**
     * Publishes a final retained {@code offline} status when connected, waits briefly for outstanding
     * acknowledgements, disconnects cleanly (no last will) and stops the thread.
     */
    @Override
    public void close() {
        stopping = true;
        events.offer(Stop.INSTANCE);
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

    private void wake() {
        if (wakePending.compareAndSet(false, true)) events.offer(Wake.INSTANCE);
    }

    // ---------------------------------------------------------------- uplink thread

    private void run() {
        try {
            while (!stopping) {
                heartbeat.beat();
                long gen = ++generation;
                // the first attempt of this process: what was stored before it is backlog
                if (unreachableSeq < 0) unreachableSeq = buffer.highestCommittedSeq();
                MqttSession session = null;
                long connectedAt = 0;
                try {
                    session = sessions.open(new Forwarder(gen));
                    if (!active.cfg().isTls()) {
                        log.warn("uplink connects to {} WITHOUT TLS (allow_insecure): development only", active.cfg().url());
                    }
                    heartbeat.willBlock(cfg.connectTimeout().plus(BEAT_SLICE));
                    MqttSession.Connected c = session.connect();
                    connectedAt = clock.millis();
                    onConnected(c);
                    serve(session, gen, c);
                } catch (MqttSession.MqttSessionException e) {
                    if (connectedAt == 0) credentialsRefused = UplinkErrors.isCredentialRefusal(e);
                    error("connect to " + active.cfg().url() + " failed: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                } catch (RuntimeException e) {
                    error("uplink error: " + UplinkErrors.describe(e), e);
                } finally {
                    connected = false;
                    // the connection is gone or never came: what was committed until now is backlog
                    unreachableSeq = buffer.highestCommittedSeq();
                    if (session != null) session.close();
                }
                if (connectedAt != 0 && clock.millis() - connectedAt >= HEALTHY_SESSION.toMillis()) backoff.reset();
                if (trialListener != null && clock.millis() >= trialDeadline) endTrial(false);
                if (reconnectNow) {
                    reconnectNow = false;
                    continue;
                }
                if (!stopping) {
                    Duration d = backoff.next();
                    if (trialListener != null) d = Duration.ofMillis(Math.max(0, Math.min(d.toMillis(), trialDeadline - clock.millis())));
                    pause(d);
                }
            }
        } finally {
            connected = false;
            if (stopping) heartbeat.stop();
            log.info("uplink stopped");
        }
    }

    private void onConnected(MqttSession.Connected c) {
        connected = true;
        credentialsRefused = false;
        lastError = null; // an error from before this connection is history, not the current state
        if (connects++ > 0) reconnects++;
        // leave room in the broker's receive maximum for the status message
        int window = Math.max(1, Math.min(cfg.inflightWindow(), c.receiveMaximum() - 2));
        drain.reset(window, unreachableSeq);
        statusTagInFlight = 0;
        log.info("uplink connected to {} as {} ({}), window {}", active.cfg().url(), gatewayId, active.cfg().protocol(), window);
        if (trialListener != null) endTrial(true);
    }

    /** Uplink thread: a trial event starts a trial (or is refused while one runs). */
    private void startTrial(Trial t) {
        if (trialListener != null) {
            t.listener().rolledBack(t.next().cfg().url(), "another trial is running");
            return;
        }
        trialPrevious = active;
        active = t.next();
        trialDeadline = clock.millis() + t.bound().toMillis();
        trialListener = t.listener();
        reconnectNow = true;
        backoff.reset();
        log.info("uplink trying new settings: {} for at most {} s", active.cfg().url(), t.bound().toSeconds());
    }

    /** Uplink thread: keeps the trial's settings or returns to the previous ones. */
    private void endTrial(boolean accepted) {
        TrialListener l = trialListener;
        String url = active.cfg().url();
        trialListener = null;
        if (accepted) {
            log.info("uplink trial accepted by {}: keeping the new settings", url);
            trialPrevious = null;
            safely(() -> l.accepted(url));
            return;
        }
        String why = lastError == null ? "no connection" : lastError;
        active = trialPrevious;
        trialPrevious = null;
        reconnectNow = true;
        backoff.reset();
        log.warn("uplink trial of {} failed ({}): back to {}", url, why, active.cfg().url());
        safely(() -> l.rolledBack(url, why));
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            error("trial listener failed: " + UplinkErrors.describe(e), e);
        }
    }

    /** The connected loop; returns when the connection is lost or unusable, or after a clean stop. */
    private void serve(MqttSession session, long gen, MqttSession.Connected c) throws MqttSession.MqttSessionException, InterruptedException {
        publishStatus(session, "online");
        if (commandHandler != null) session.subscribe(commandFilter);
        for (byte[] held; (held = heldReplies.poll()) != null; ) session.publish(replyTopic, held, false, nextStatusTag--);
        long nextStatus = clock.millis() + cfg.statusInterval().toMillis();
        while (true) {
            heartbeat.beat();
            if (stopping) {
                heartbeat.willBlock(CLOSE_GRACE.plusSeconds(2));
                shutdown(session, gen);
                return;
            }
            Drain.Batch b;
            while ((b = drain.next()) != null) {
                session.publish(readingsTopic, b.payload(), false, b.tag(), b.contentType());
            }
            long now = clock.millis();
            if (now >= nextStatus) {
                if (statusTagInFlight == 0) publishStatus(session, "online");
                nextStatus = now + cfg.statusInterval().toMillis();
            }
            long waitMs = Math.max(1, Math.min(Math.min(BEAT_SLICE.toMillis(), nextStatus - now), drain.backlogWaitMillis()));
            Event ev = events.poll(waitMs, TimeUnit.MILLISECONDS);
            if (ev == null) continue;
            if (ev instanceof Reconnect) {
                log.info("uplink reconnecting on request (e.g. a renewed certificate)");
                reconnectNow = true;
                session.disconnect(2000);
                return;
            }
            if (ev instanceof Subscribe) {
                session.subscribe(commandFilter);
                continue;
            }
            if (ev instanceof Trial t) {
                startTrial(t);
                if (reconnectNow) {
                    session.disconnect(2000);
                    return;
                }
                continue;
            }
            if (ev instanceof Reply r) {
                pendingReplies.decrementAndGet();
                session.publish(replyTopic, r.payload(), false, nextStatusTag--);
                continue;
            }
            if (!handle(ev, gen)) return;
        }
    }

    /** Applies one event; false when the connection must be dropped. */
    private boolean handle(Event ev, long gen) {
        if (ev instanceof Wake) {
            wakePending.set(false);
            return true;
        }
        if (ev instanceof Trial t) {
            startTrial(t); // while shutting down: the run loop sees 'stopping' first
            return true;
        }
        if (ev instanceof Reply) {
            pendingReplies.decrementAndGet(); // not connected: the reply is dropped
            return true;
        }
        if (ev instanceof Stop || ev instanceof Subscribe || ev instanceof Reconnect) {
            return true; // the loop sees 'stopping'; the others only matter while serving
        }
        if (ev instanceof Command c) {
            pendingCommands.decrementAndGet();
            if (c.gen() == gen) command(c);
            return true;
        }
        if (ev instanceof Ack a) {
            if (a.gen() != gen) return true;
            return acknowledged(a.tag(), a.reasonCode());
        }
        if (ev instanceof Failed f) {
            if (f.gen() != gen) return true;
            error("publish failed: " + UplinkErrors.describe(f.cause()), f.cause());
            return false;
        }
        if (ev instanceof Lost l) {
            if (l.gen() != gen) return true;
            String why = UplinkErrors.describe(l.cause());
            error(why.toLowerCase(java.util.Locale.ROOT).startsWith("connection lost") ? why : "connection lost: " + why, l.cause());
            return false;
        }
        return true;
    }

    private boolean acknowledged(long tag, int rc) {
        if (tag < 0) {
            boolean isStatus = tag == statusTagInFlight;
            if (isStatus) statusTagInFlight = 0;
            if (rc >= 0x80) {
                // the error first: a reader that sees the count must also see why
                error((isStatus ? "status" : "command reply") + " publish refused by the broker: " + ReasonCodes.describe(rc), null);
                refused++;
            }
            return true;
        }
        Drain.Batch b = drain.complete(tag);
        if (b == null) return true;
        if (rc < 0x80) {
            buffer.confirm(b.seqs());
            published += b.seqs().length;
            lastAckEpochMs = clock.millis();
            backoff.reset();
            return true;
        }
        // the error before the count: a reader that sees the count must also see why
        String reason = ReasonCodes.describe(rc);
        if (ReasonCodes.isBatchSpecific(rc)) {
            // the broker will never take this batch: park it so the queue moves on
            buffer.deadLetter(b.seqs(), "refused: " + reason);
            error("batch of " + b.seqs().length + " readings (seq " + b.seqs()[0] + "…) refused by the broker: "
                    + reason + "; moved to dead letters", null);
            refused++;
            return true;
        }
        // not this batch's fault (authorisation, quota, broker trouble): keep it, back off, resend
        error("publish to " + readingsTopic + " refused by the broker: " + reason + "; readings kept, reconnecting after backoff", null);
        refused++;
        return false;
    }

    private void publishStatus(MqttSession session, String state) throws MqttSession.MqttSessionException {
        byte[] body;
        try {
            body = payloads.status(status.get(), state);
        } catch (RuntimeException e) {
            error("status snapshot failed: " + UplinkErrors.describe(e), e);
            return;
        }
        long tag = nextStatusTag--;
        statusTagInFlight = tag;
        session.publish(statusTopic, body, true, tag);
    }

    private void shutdown(MqttSession session, long gen) throws InterruptedException {
        try {
            publishStatus(session, "offline");
        } catch (MqttSession.MqttSessionException e) {
            error("final status not sent: " + e.getMessage(), e);
            return;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        while ((drain.inflight() > 0 || statusTagInFlight != 0) && System.nanoTime() < deadline) {
            Event ev = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (ev != null && !handle(ev, gen)) return;
        }
        session.disconnect(2000);
        log.info("uplink disconnected cleanly from {}", active.cfg().url());
    }

    private void command(Command c) {
        CommandHandler h = commandHandler;
        if (h == null || !c.topic().startsWith(commandPrefix)) return;
        String name = c.topic().substring(commandPrefix.length());
        if (c.payload().length > MAX_COMMAND_BYTES) {
            refuseTooLarge(name, c.payload().length);
            return;
        }
        try {
            h.onCommand(name, c.payload(), payload -> reply(Objects.requireNonNull(payload, "payload")));
        } catch (Throwable e) { // NOPMD: no message may end the uplink thread, not even with an Error
            commandsFailed.incrementAndGet();
            error("command " + name + " failed: " + UplinkErrors.describe(e), e);
            reply(CommandReplies.refusal(name, "internal_error", "the command failed: " + e.getClass().getSimpleName()));
        }
    }

    private void refuseTooLarge(String name, long bytes) {
        commandsTooLarge.incrementAndGet();
        log.warn("command {} refused: body of {} bytes exceeds {}", name, bytes, MAX_COMMAND_BYTES); // any thread
        reply(CommandReplies.refusal(name, "too_large", "the command body of " + bytes + " bytes exceeds "
                + MAX_COMMAND_BYTES + " bytes"));
    }

    /** Queues a reply unless {@link #MAX_PENDING_REPLIES} are waiting (then it is dropped and counted). Any thread. */
    private void reply(byte[] payload) {
        if (pendingReplies.incrementAndGet() > MAX_PENDING_REPLIES) {
            pendingReplies.decrementAndGet();
            repliesDropped.incrementAndGet();
            return;
        }
        events.offer(new Reply(payload));
    }

    /** From Paho's thread: queues the command unless too many are waiting (then answers {@code busy}). */
    private void arrived(long gen, String topic, byte[] payload) {
        commandsReceived.incrementAndGet();
        if (pendingCommands.incrementAndGet() > MAX_PENDING_COMMANDS) {
            pendingCommands.decrementAndGet();
            commandsBusy.incrementAndGet();
            if (topic.startsWith(commandPrefix)) {
                reply(CommandReplies.refusal(topic.substring(commandPrefix.length()), "busy",
                        MAX_PENDING_COMMANDS + " commands are waiting; try again later"));
            }
            return;
        }
        events.offer(new Command(gen, topic, payload));
    }

    private void hold(byte[] reply) {
        if (heldReplies.size() >= HELD_REPLIES) heldReplies.poll();
        heldReplies.add(reply);
    }

    /** Sleeps for {@code d} unless stopped or asked to reconnect. */
    private void pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        try {
            while (!stopping) {
                heartbeat.beat();
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                Event ev = events.poll(Math.min(left, BEAT_SLICE.toNanos()), TimeUnit.NANOSECONDS);
                if (ev instanceof Wake) wakePending.set(false);
                if (ev instanceof Command) pendingCommands.decrementAndGet(); // arrived just before the loss
                if (ev instanceof Reply) pendingReplies.decrementAndGet(); // no connection to answer on
                if (ev instanceof Reconnect) return;
                if (ev instanceof Reply r) hold(r.payload());
                if (ev instanceof Trial t) {
                    startTrial(t);
                    if (reconnectNow) {
                        reconnectNow = false;
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private void error(String message, Throwable cause) {
        lastError = message;
        if (!message.equals(lastLoggedError)) {
            log.warn("{}", message);
            lastLoggedError = message;
        } else {
            log.debug("{}", message, cause);
        }
    }

    // ---------------------------------------------------------------- events from Paho's threads

    private sealed interface Event permits Wake, Stop, Ack, Failed, Lost, Subscribe, Reconnect, Command, Reply, Trial {
    }

    private record Trial(UplinkSettings next, Duration bound, TrialListener listener) implements Event {
    }

    private enum Subscribe implements Event { INSTANCE }

    private enum Reconnect implements Event { INSTANCE }

    private record Command(long gen, String topic, byte[] payload) implements Event {
    }

    private record Reply(byte[] payload) implements Event {
    }

    private enum Wake implements Event { INSTANCE }

    private enum Stop implements Event { INSTANCE }

    private record Ack(long gen, long tag, int reasonCode) implements Event {
    }

    private record Failed(long gen, long tag, Throwable cause) implements Event {
    }

    private record Lost(long gen, Throwable cause) implements Event {
    }

    /** Runs on Paho's threads: only enqueues. */
    private final class Forwarder implements MqttSession.Listener {
        private final long gen;

        Forwarder(long gen) { this.gen = gen; }

        @Override public void acknowledged(long tag, int reasonCode) { events.offer(new Ack(gen, tag, reasonCode)); }

        @Override public void failed(long tag, Throwable cause) { events.offer(new Failed(gen, tag, cause)); }

        @Override public void connectionLost(Throwable cause) { events.offer(new Lost(gen, cause)); }

        @Override public void messageArrived(String topic, byte[] payload) { arrived(gen, topic, payload); }

        @Override public void messageTooLarge(String topic, long payloadBytes) {
            commandsReceived.incrementAndGet();
            if (topic.startsWith(commandPrefix)) refuseTooLarge(topic.substring(commandPrefix.length()), payloadBytes);
        }
    }
}
