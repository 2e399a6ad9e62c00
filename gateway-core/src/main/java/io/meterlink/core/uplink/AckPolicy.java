package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.PublishTag;
import io.meterlink.core.uplink.internal.ReasonCodes;

import io.meterlink.core.buffer.Buffer;

import java.time.Clock;
import java.util.Objects;

/**
 * What a batch's acknowledgement does (docs/payloads.md, "Refusals"): a success confirms its readings
 * in the buffer (the only place they are deleted); a refusal that is the batch's own fault (too
 * large, bad topic or payload) moves its readings to dead letters so the queue moves on; any other
 * refusal (authorisation, quota, broker trouble) keeps the readings and drops the connection, to
 * resend after backoff. Uplink thread only.
 */
final class AckPolicy {

    private final Buffer buffer;
    private final Drain drain;
    private final UplinkState state;
    private final Backoff backoff;
    private final Clock clock;
    private final String readingsTopic;

    AckPolicy(Buffer buffer, Drain drain, UplinkState state, Backoff backoff, Clock clock, String readingsTopic) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.drain = Objects.requireNonNull(drain, "drain");
        this.state = Objects.requireNonNull(state, "state");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.readingsTopic = Objects.requireNonNull(readingsTopic, "readingsTopic");
    }

    /** Applies the acknowledgement of batch {@code tag}; false when the connection must be dropped. */
    boolean acknowledged(PublishTag.Batch tag, int rc) {
        Drain.Batch b = drain.complete(tag.id());
        if (b == null) return true;
        if (rc < 0x80) {
            buffer.confirm(b.seqs());
            state.delivered(b.seqs().length, clock.millis());
            backoff.reset();
            return true;
        }
        String reason = ReasonCodes.describe(rc);
        if (ReasonCodes.isBatchSpecific(rc)) {
            // the broker will never take this batch: park it so the queue moves on
            buffer.deadLetter(b.seqs(), "refused: " + reason);
            state.refused("batch of " + b.seqs().length + " readings (seq " + b.seqs()[0] + "…) refused by the broker: "
                    + reason + "; moved to dead letters");
            return true;
        }
        // not this batch's fault: keep it, back off, resend
        state.refused("publish to " + readingsTopic + " refused by the broker: " + reason + "; readings kept, reconnecting after backoff");
        return false;
    }
}
