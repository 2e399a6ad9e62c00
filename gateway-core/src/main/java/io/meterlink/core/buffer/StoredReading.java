package io.meterlink.core.buffer;

/**
 * A reading as stored: its gateway sequence number, priority and its encoded payload object.
 *
 * @param seq        gateway sequence number, unique forever for this gateway
 * @param acceptedAt epoch milliseconds when its transaction committed
 * @param priority   {@link io.meterlink.core.api.Priority#ordinal()}
 * @param body       the encoded reading (one JSON object, UTF-8) exactly as it goes into a batch
 */
public record StoredReading(long seq, long acceptedAt, int priority, byte[] body) {
}
