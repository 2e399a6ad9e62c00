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

    /** The message carrying {@code readings} (ascending seq, at least one). */
    Encoded encode(List<StoredReading> readings, Instant sent);

    /** The format named by the configuration. */
    static PayloadFormat of(io.meterlink.core.config.UplinkConfig.Payload payload, JsonPayloads json) {
        return payload == io.meterlink.core.config.UplinkConfig.Payload.COMPACT ? new CompactPayloads(json) : json;
    }
}
