package io.meterlink.core.uplink;

import io.meterlink.core.buffer.StoredReading;

import java.time.Instant;
import java.util.List;

/**
 * How a batch of stored readings goes on the wire ({@code uplink.payload}): JSON v1
 * ({@link JsonPayloads}) or compact v1 ({@link CompactPayloads}); docs/payloads.md. Called on the
 * uplink thread only.
 */
interface PayloadFormat {

    /** One encoded batch and the MQTT 5 content type it is announced with. */
    record Encoded(byte[] bytes, String contentType) {
    }

    /**
     * Upper bound of the bytes a batch of {@code n} readings adds around their stored bodies; the
     * {@link Drain} cuts batches so that bodies plus this stay within {@code batch_max_bytes}.
     */
    int batchOverhead(int n);

    /**
     * The readings as this format measures them for the byte bound: stored records
     * ({@link ReadingRecords}) rendered to JSON v1 objects by the JSON format, unchanged by the compact
     * one. Called before the {@link Drain} cuts a batch. A format that renders stops once the rendered
     * readings plus {@link #batchOverhead} exceed {@code maxBytes} (the reading that crosses it is the
     * last one returned): a stored record is about a fifth of its JSON object, so the read holds far
     * more readings than fit.
     *
     * @throws UnreadableReading when a stored record cannot be read back
     */
    default List<StoredReading> prepare(List<StoredReading> read, int maxBytes) {
        return read;
    }

    /**
     * The message carrying {@code readings} (ascending seq, at least one).
     *
     * @throws UnreadableReading when a stored record cannot be read back
     */
    Encoded encode(List<StoredReading> readings, Instant sent);

    /** A stored reading that cannot be read back (a malformed record under a valid checksum): the drain dead-letters it. */
    final class UnreadableReading extends RuntimeException {
        private final long seq;

        UnreadableReading(long seq, String message, Throwable cause) {
            super(message, cause);
            this.seq = seq;
        }

        long seq() { return seq; }
    }

    /** The format named by the configuration. */
    static PayloadFormat of(io.meterlink.core.config.UplinkConfig.Payload payload, JsonPayloads json) {
        return payload == io.meterlink.core.config.UplinkConfig.Payload.COMPACT ? new CompactPayloads(json) : json;
    }
}
