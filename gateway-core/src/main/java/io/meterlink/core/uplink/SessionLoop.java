package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.PublishTag;
import io.meterlink.core.uplink.internal.UplinkErrors;

import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The uplink thread: connects (own reconnect loop, exponential backoff with full jitter, refused
 * credentials recognised), serves a connection (batches from the {@link Drain}, status every
 * interval, commands, acknowledgements) until it is lost, and runs settings trials. Every client
 * call happens here; Paho's callbacks only enqueue {@link UplinkEvent}s (Paho deadlocks when called
 * from its callbacks).
 *
 * <p>{@link #run} on the uplink thread; {@link #stop}, {@link #wake}, {@link #active} and
 * {@link #heartbeat} from any thread.
 */
final class SessionLoop {

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);

    /**
     * The least room a broker's Maximum Packet Size must leave for a message (the least
     * {@code batch_max_bytes}): below it the connection is not used, rather than dead-letter every
     * reading as too big.
     */
    static final long MIN_BROKER_PACKET = 1024;

    /** A connection that lived this long counts as healthy: the backoff starts again from its minimum. */
    static final Duration HEALTHY_SESSION = Duration.ofSeconds(60);
    /** Longest wait between two heartbeats of the uplink thread (backoff pauses wait in slices of it). */
    static final Duration BEAT_SLICE = Duration.ofSeconds(1);

    private final Parts p;
    private final BlockingQueue<UplinkEvent> events;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean stopping;
    /** The uplink loop's proof of life for the service watchdog: beaten at least every {@link #BEAT_SLICE}. */
    private volatile Heartbeat heartbeat = Heartbeat.NONE;
    /** The settings every connection attempt uses (URL and CA together); replaced only by a trial. */
    private volatile UplinkSettings active;
    /** While a trial runs: the settings to return to, its deadline (clock millis) and listener; uplink thread only. */
    private UplinkSettings trialPrevious;
    private long trialDeadline;
    private TrialListener trialListener;
    private boolean reconnectNow;
    /** Highest committed seq when the broker was last known unreachable (-1: not yet tried); the live/backlog split. */
    private long unreachableSeq = -1;
    private long generation;

    /** What the loop works with; built once by {@link MqttUplink}. */
    record Parts(io.meterlink.core.config.UplinkConfig cfg, String gatewayId, Buffer buffer, Clock clock,
                 MqttSession.Factory sessions, Backoff backoff, Drain drain, Topics topics, UplinkState state,
                 StatusPublisher status, CommandChannel commands, AckPolicy acks) {
    }

    SessionLoop(Parts parts, BlockingQueue<UplinkEvent> events, UplinkSettings initial) {
        this.p = Objects.requireNonNull(parts, "parts");
        this.events = Objects.requireNonNull(events, "events");
        this.active = Objects.requireNonNull(initial, "initial");
    }

    UplinkSettings active() {
        return active;
    }

    void heartbeat(Heartbeat h) {
        heartbeat = Objects.requireNonNull(h, "heartbeat");
    }

    void wake() {
        if (wakePending.compareAndSet(false, true)) events.offer(UplinkEvent.Wake.INSTANCE);
    }

    void stop() {
        stopping = true;
        events.offer(UplinkEvent.Stop.INSTANCE);
    }

    // ---------------------------------------------------------------- uplink thread

    void run() {
        try {
            while (!stopping) {
                heartbeat.beat();
                long gen = ++generation;
                MqttSession session = null;
                long connectedAt = 0;
                try {
                    session = p.sessions().open(new Forwarder(gen));
                    if (!active.cfg().isTls()) {
                        log.warn("uplink connects to {} WITHOUT TLS (allow_insecure): development only", active.cfg().url());
                    }
                    heartbeat.willBlock(p.cfg().connectTimeout().plus(BEAT_SLICE));
                    MqttSession.Connected c = session.connect();
                    connectedAt = p.clock().millis();
                    onConnected(c);
                    serve(session, gen);
                } catch (MqttSession.MqttSessionException e) {
                    if (connectedAt == 0) p.state().attemptFailed(UplinkErrors.isCredentialRefusal(e));
                    p.state().error("connect to " + active.cfg().url() + " failed: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                } catch (RuntimeException e) {
                    p.state().error("uplink error: " + UplinkErrors.describe(e), e);
                } finally {
                    p.state().disconnected();
                    if (session != null) session.close();
                    // the connection is gone or never came: what was committed until now is backlog
                    try {
                        unreachableSeq = p.buffer().highestCommittedSeq();
                    } catch (RuntimeException e) { // the buffer never opened: the gateway's start fails and closes us
                        p.state().error("uplink stops: the buffer is not open (" + e.getMessage() + ")", e);
                        stopping = true;
                    }
                }
                if (connectedAt != 0 && p.clock().millis() - connectedAt >= HEALTHY_SESSION.toMillis()) p.backoff().reset();
                if (trialListener != null && p.clock().millis() >= trialDeadline) endTrial(false);
                if (reconnectNow) {
                    reconnectNow = false;
                    continue;
                }
                if (!stopping) {
                    Duration d = p.backoff().next();
                    if (trialListener != null) d = Duration.ofMillis(Math.max(0, Math.min(d.toMillis(), trialDeadline - p.clock().millis())));
                    pause(d);
                }
            }
        } finally {
            p.state().disconnected();
            if (stopping) heartbeat.stop();
            log.info("uplink stopped");
        }
    }

    private void onConnected(MqttSession.Connected c) throws MqttSession.MqttSessionException {
        // a batch larger than the broker's maximum packet would make the library drop the connection, on every resend
        long room = c.maximumPacketSize() == Long.MAX_VALUE ? Long.MAX_VALUE
                : c.maximumPacketSize() - Drain.publishOverhead(p.topics().readings());
        if (room < MIN_BROKER_PACKET) {
            // too small for a status message or a reply: every batch would be dead-lettered as too_big, and the
            // status would make the library drop the connection on every connect; nothing is sent, readings wait
            throw new MqttSession.MqttSessionException("the broker's maximum packet size of " + c.maximumPacketSize()
                    + " bytes leaves less than the uplink's least " + MIN_BROKER_PACKET + " bytes for a message: not using this connection", null);
        }
        p.state().connected();
        // leave room in the broker's receive maximum for the status message
        int window = Math.max(1, Math.min(p.cfg().inflightWindow(), c.receiveMaximum() - 2));
        // the first connection of this process: what an earlier run stored is backlog (asked only now, so that
        // the connection is made while the buffer still opens)
        if (unreachableSeq < 0) unreachableSeq = p.buffer().highestSeqAtOpen();
        p.drain().reset(window, unreachableSeq, room);
        p.status().reset();
        log.info("uplink connected to {} as {} ({}), window {}{}", active.cfg().url(), p.gatewayId(), active.cfg().protocol(), window,
                room == Long.MAX_VALUE ? "" : ", broker's maximum packet " + c.maximumPacketSize() + " bytes");
        if (trialListener != null) endTrial(true);
    }

    /** A trial event starts a trial (or is refused while one runs). */
    private void startTrial(UplinkEvent.Trial t) {
        if (trialListener != null) {
            t.listener().rolledBack(t.next().cfg().url(), "another trial is running");
            return;
        }
        trialPrevious = active;
        active = t.next();
        trialDeadline = p.clock().millis() + t.bound().toMillis();
        trialListener = t.listener();
        reconnectNow = true;
        p.backoff().reset();
        log.info("uplink trying new settings: {} for at most {} s", active.cfg().url(), t.bound().toSeconds());
    }

    /** Keeps the trial's settings or returns to the previous ones. */
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
        String why = p.state().lastError() == null ? "no connection" : p.state().lastError();
        active = trialPrevious;
        trialPrevious = null;
        reconnectNow = true;
        p.backoff().reset();
        log.warn("uplink trial of {} failed ({}): back to {}", url, why, active.cfg().url());
        safely(() -> l.rolledBack(url, why));
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            p.state().error("trial listener failed: " + UplinkErrors.describe(e), e);
        }
    }

    /** The connected loop; returns when the connection is lost or unusable, or after a clean stop. */
    private void serve(MqttSession session, long gen) throws MqttSession.MqttSessionException, InterruptedException {
        // Subscribe first: the broker handles one client's packets in order, so a head-end that sends a
        // command when it sees "online" finds the command subscription already in place.
        boolean subscribed = p.commands().connected(session);
        p.status().publish(session, "online");
        long nextStatus = p.clock().millis() + p.cfg().statusInterval().toMillis();
        while (true) {
            heartbeat.beat();
            if (stopping) {
                heartbeat.willBlock(MqttUplink.CLOSE_GRACE.plusSeconds(2));
                shutdown(session, gen);
                return;
            }
            Drain.Batch b;
            while ((b = p.drain().next()) != null) {
                session.publish(p.topics().readings(), b.payload(), false, new PublishTag.Batch(b.tag()), b.contentType());
            }
            long now = p.clock().millis();
            if (now >= nextStatus) {
                if (!p.status().inFlight()) p.status().publish(session, "online");
                nextStatus = now + p.cfg().statusInterval().toMillis();
            }
            long waitMs = Math.max(1, Math.min(Math.min(BEAT_SLICE.toMillis(), nextStatus - now), p.drain().backlogWaitMillis()));
            UplinkEvent ev = events.poll(waitMs, TimeUnit.MILLISECONDS);
            if (ev == null) continue;
            if (ev instanceof UplinkEvent.Reconnect) {
                log.info("uplink reconnecting on request (e.g. a renewed certificate)");
                reconnectNow = true;
                session.disconnect(2000);
                return;
            }
            if (ev instanceof UplinkEvent.Subscribe) {
                if (subscribed) continue; // the handler was set before this session subscribed
                subscribed = true;
                session.subscribe(p.commands().filter());
                // announced again behind the late subscription, for head-ends that wait for "online" to send
                // (even while the first status waits for its PUBACK: that is exactly the window that matters)
                p.status().publish(session, "online");
                continue;
            }
            if (ev instanceof UplinkEvent.Trial t) {
                startTrial(t);
                if (reconnectNow) {
                    session.disconnect(2000);
                    return;
                }
                continue;
            }
            if (ev instanceof UplinkEvent.Reply r) {
                p.commands().publish(session, r);
                continue;
            }
            if (!handle(ev, gen)) return;
        }
    }

    /** Applies one event; false when the connection must be dropped. */
    private boolean handle(UplinkEvent ev, long gen) {
        if (ev instanceof UplinkEvent.Wake) {
            wakePending.set(false);
            return true;
        }
        if (ev instanceof UplinkEvent.Trial t) {
            startTrial(t); // while shutting down: the run loop sees 'stopping' first
            return true;
        }
        if (ev instanceof UplinkEvent.Reply r) {
            p.commands().drop(r); // not connected: the reply is dropped
            return true;
        }
        if (ev instanceof UplinkEvent.Stop || ev instanceof UplinkEvent.Subscribe || ev instanceof UplinkEvent.Reconnect) {
            return true; // the loop sees 'stopping'; the others only matter while serving
        }
        if (ev instanceof UplinkEvent.Command c) {
            if (c.gen() == gen) p.commands().dispatch(c);
            else p.commands().discard(c);
            return true;
        }
        if (ev instanceof UplinkEvent.Ack a) {
            return a.gen() != gen || acknowledged(a.tag(), a.reasonCode());
        }
        if (ev instanceof UplinkEvent.Failed f) {
            if (f.gen() != gen) return true;
            p.state().error("publish failed: " + UplinkErrors.describe(f.cause()), f.cause());
            return false;
        }
        if (ev instanceof UplinkEvent.Lost l) {
            if (l.gen() != gen) return true;
            String why = UplinkErrors.describe(l.cause());
            p.state().error(why.toLowerCase(Locale.ROOT).startsWith("connection lost") ? why : "connection lost: " + why, l.cause());
            return false;
        }
        return true;
    }

    /** Routes an acknowledgement by what the publish carried; false when the connection must be dropped. */
    private boolean acknowledged(PublishTag tag, int rc) {
        if (tag instanceof PublishTag.Batch b) return p.acks().acknowledged(b, rc);
        if (tag instanceof PublishTag.Status s) p.status().acknowledged(s, rc);
        if (tag instanceof PublishTag.Reply r) p.commands().acknowledged(r, rc);
        return true;
    }

    private void shutdown(MqttSession session, long gen) throws InterruptedException {
        try {
            p.status().publish(session, "offline");
        } catch (MqttSession.MqttSessionException e) {
            p.state().error("final status not sent: " + e.getMessage(), e);
            return;
        }
        long deadline = System.nanoTime() + MqttUplink.CLOSE_GRACE.toNanos();
        while ((p.drain().inflight() > 0 || p.status().inFlight()) && System.nanoTime() < deadline) {
            UplinkEvent ev = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (ev != null && !handle(ev, gen)) return;
        }
        session.disconnect(2000);
        log.info("uplink disconnected cleanly from {}", active.cfg().url());
    }

    /** Sleeps for {@code d} unless stopped or asked to reconnect. */
    private void pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        try {
            while (!stopping) {
                heartbeat.beat();
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                UplinkEvent ev = events.poll(Math.min(left, BEAT_SLICE.toNanos()), TimeUnit.NANOSECONDS);
                if (ev instanceof UplinkEvent.Wake) wakePending.set(false);
                if (ev instanceof UplinkEvent.Command c) p.commands().discard(c); // arrived just before the loss
                if (ev instanceof UplinkEvent.Reply r) p.commands().hold(r); // no connection to answer on
                if (ev instanceof UplinkEvent.Reconnect) return;
                if (ev instanceof UplinkEvent.Trial t) {
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

    /** Runs on Paho's threads: only enqueues. */
    private final class Forwarder implements MqttSession.Listener {
        private final long gen;

        Forwarder(long gen) { this.gen = gen; }

        @Override public void acknowledged(PublishTag tag, int reasonCode) { events.offer(new UplinkEvent.Ack(gen, tag, reasonCode)); }

        @Override public void failed(PublishTag tag, Throwable cause) { events.offer(new UplinkEvent.Failed(gen, tag, cause)); }

        @Override public void connectionLost(Throwable cause) { events.offer(new UplinkEvent.Lost(gen, cause)); }

        @Override public void messageArrived(String topic, byte[] payload) { p.commands().arrived(gen, topic, payload); }

        @Override public void messageTooLarge(String topic, long payloadBytes) { p.commands().tooLarge(topic, payloadBytes); }
    }
}
