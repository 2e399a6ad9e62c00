package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.PublishTag;
import io.meterlink.core.uplink.internal.UplinkErrors;
import io.meterlink.core.uplink.internal.ReasonCodes;

import io.meterlink.core.status.CommandStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The command channel: commands arriving on {@code <prefix>/<gw>/cmd/#} are bounded
 * ({@link MqttUplink#MAX_PENDING_COMMANDS}, {@link MqttUplink#MAX_COMMAND_BYTES}), handed to the
 * {@link CommandHandler} on the uplink thread, and their replies published on {@code cmd-reply}
 * (bounded by {@link MqttUplink#MAX_PENDING_REPLIES}; replies made while disconnected are held, the
 * newest {@link #HELD_REPLIES}, and sent after the next connect). Refusals the uplink answers itself
 * are in {@link CommandReplies}.
 *
 * <p>{@link #arrived}, {@link #tooLarge}, {@link #handler} and {@link #stats} may be called from any
 * thread; the rest from the uplink thread only.
 */
final class CommandChannel {

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);

    /** Command replies held while disconnected; the oldest is dropped beyond this. */
    static final int HELD_REPLIES = 16;

    private final Topics topics;
    private final Consumer<UplinkEvent> events;
    private final UplinkState state;
    private volatile CommandHandler handler;
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    private long nextReplyId = 1;
    private final AtomicInteger pendingCommands = new AtomicInteger();
    private final AtomicInteger pendingReplies = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong tooLarge = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong repliesDropped = new AtomicLong();

    CommandChannel(Topics topics, Consumer<UplinkEvent> events, UplinkState state) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.events = Objects.requireNonNull(events, "events");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** Sets the handler; the uplink subscribes (now if connected, and after every connect). Any thread. */
    void handler(CommandHandler h) {
        handler = Objects.requireNonNull(h, "handler");
        events.accept(UplinkEvent.Subscribe.INSTANCE);
    }

    /** Whether there is a handler to subscribe for. */
    boolean active() {
        return handler != null;
    }

    String filter() {
        return topics.commandFilter();
    }

    CommandStats stats() {
        return new CommandStats(received.get(), tooLarge.get(), busy.get(), failed.get(), repliesDropped.get());
    }

    // ---------------------------------------------------------------- Paho's threads

    /** Queues the command unless too many are waiting (then answers {@code busy}). */
    void arrived(long gen, String topic, byte[] payload) {
        received.incrementAndGet();
        if (pendingCommands.incrementAndGet() > MqttUplink.MAX_PENDING_COMMANDS) {
            pendingCommands.decrementAndGet();
            busy.incrementAndGet();
            topics.commandName(topic).ifPresent(name -> reply(CommandReplies.refusal(name, "busy",
                    MqttUplink.MAX_PENDING_COMMANDS + " commands are waiting; try again later")));
            return;
        }
        events.accept(new UplinkEvent.Command(gen, topic, payload));
    }

    /** A command whose payload of {@code bytes} was discarded unread by the socket guard. */
    void tooLarge(String topic, long bytes) {
        received.incrementAndGet();
        topics.commandName(topic).ifPresent(name -> refuseTooLarge(name, bytes));
    }

    // ---------------------------------------------------------------- uplink thread

    /** Hands command {@code c} to the handler; a throwing handler is answered {@code internal_error}. */
    void dispatch(UplinkEvent.Command c) {
        pendingCommands.decrementAndGet();
        CommandHandler h = handler;
        Optional<String> named = topics.commandName(c.topic());
        if (h == null || named.isEmpty()) return;
        String name = named.get();
        if (c.payload().length > MqttUplink.MAX_COMMAND_BYTES) {
            refuseTooLarge(name, c.payload().length);
            return;
        }
        try {
            h.onCommand(name, c.payload(), payload -> reply(Objects.requireNonNull(payload, "payload")));
        } catch (Throwable e) { // NOPMD: no message may end the uplink thread, not even with an Error
            failed.incrementAndGet();
            state.error("command " + name + " failed: " + UplinkErrors.describe(e), e);
            reply(CommandReplies.refusal(name, "internal_error", "the command failed: " + e.getClass().getSimpleName()));
        }
    }

    /** A command that came before its connection was lost: not handled. */
    void discard(UplinkEvent.Command c) {
        pendingCommands.decrementAndGet();
    }

    /** Publishes reply {@code r} now. */
    void publish(MqttSession session, UplinkEvent.Reply r) throws MqttSession.MqttSessionException {
        pendingReplies.decrementAndGet();
        session.publish(topics.replies(), r.payload(), false, new PublishTag.Reply(nextReplyId++));
    }

    /** Reply {@code r} came while disconnected: held for the next connection. */
    void hold(UplinkEvent.Reply r) {
        pendingReplies.decrementAndGet();
        if (held.size() >= HELD_REPLIES) held.poll();
        held.add(r.payload());
    }

    /** Reply {@code r} came while closing: dropped. */
    void drop(UplinkEvent.Reply r) {
        pendingReplies.decrementAndGet();
    }

    /** After a connect: subscribes (returns whether it did) and publishes the held replies. */
    boolean connected(MqttSession session) throws MqttSession.MqttSessionException {
        boolean subscribe = handler != null;
        if (subscribe) session.subscribe(topics.commandFilter());
        for (byte[] r; (r = held.poll()) != null; ) {
            session.publish(topics.replies(), r, false, new PublishTag.Reply(nextReplyId++));
        }
        return subscribe;
    }

    /** The broker acknowledged reply {@code tag}; a refusal is counted. */
    void acknowledged(PublishTag.Reply tag, int rc) {
        if (rc >= 0x80) state.refused("command reply publish refused by the broker: " + ReasonCodes.describe(rc));
    }

    private void refuseTooLarge(String name, long bytes) {
        tooLarge.incrementAndGet();
        log.warn("command {} refused: body of {} bytes exceeds {}", name, bytes, MqttUplink.MAX_COMMAND_BYTES); // any thread
        reply(CommandReplies.refusal(name, "too_large", "the command body of " + bytes + " bytes exceeds "
                + MqttUplink.MAX_COMMAND_BYTES + " bytes"));
    }

    /** Queues a reply unless {@link MqttUplink#MAX_PENDING_REPLIES} are waiting (then it is dropped and counted). Any thread. */
    private void reply(byte[] payload) {
        if (pendingReplies.incrementAndGet() > MqttUplink.MAX_PENDING_REPLIES) {
            pendingReplies.decrementAndGet();
            repliesDropped.incrementAndGet();
            return;
        }
        events.accept(new UplinkEvent.Reply(payload));
    }
}
