package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.PublishTag;
import io.meterlink.core.uplink.internal.UplinkErrors;
import io.meterlink.core.uplink.internal.ReasonCodes;

import io.meterlink.core.status.StatusSnapshot;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Publishes the gateway's retained status ({@code online} at connect and every status interval,
 * {@code offline} at close) and tracks the one status message in flight. Uplink thread only.
 */
final class StatusPublisher {

    private final JsonPayloads payloads;
    private final Supplier<StatusSnapshot> status;
    private final String topic;
    private final UplinkState state;
    private long nextId = 1;
    private PublishTag.Status inFlight;

    StatusPublisher(JsonPayloads payloads, Supplier<StatusSnapshot> status, String topic, UplinkState state) {
        this.payloads = Objects.requireNonNull(payloads, "payloads");
        this.status = Objects.requireNonNull(status, "status");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** Publishes the current snapshot with {@code connection} ({@code online}/{@code offline}); a failing snapshot is reported, not sent. */
    void publish(MqttSession session, String connection) throws MqttSession.MqttSessionException {
        byte[] body;
        try {
            body = payloads.status(status.get(), connection);
        } catch (RuntimeException e) {
            state.error("status snapshot failed: " + UplinkErrors.describe(e), e);
            return;
        }
        PublishTag.Status tag = new PublishTag.Status(nextId++);
        inFlight = tag;
        session.publish(topic, body, true, tag);
    }

    /** Whether a status message waits for its acknowledgement. */
    boolean inFlight() {
        return inFlight != null;
    }

    /** A new connection: nothing of the old one is in flight. */
    void reset() {
        inFlight = null;
    }

    /** The broker acknowledged {@code tag} with {@code rc}; a refusal is counted. */
    void acknowledged(PublishTag.Status tag, int rc) {
        if (tag.equals(inFlight)) inFlight = null;
        if (rc >= 0x80) state.refused("status publish refused by the broker: " + ReasonCodes.describe(rc));
    }
}
