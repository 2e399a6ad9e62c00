package io.meterlink.payload;

/**
 * Reads a readings message of either format, told apart by its first byte: {@code '{'} is JSON v1,
 * {@code 0x10}/{@code 0x11} compact v1 (the same test works on MQTT 3.1.1, which carries no content
 * type). Thread-safe.
 */
public final class Payloads {
    private Payloads() {
    }

    /** The batch in {@code message}, whichever format it is in. */
    public static ReadingsBatch decode(byte[] message) throws PayloadException {
        if (CompactV1.isCompact(message)) return CompactV1.decode(message);
        int i = 0;
        while (i < message.length && (message[i] == ' ' || message[i] == '\t' || message[i] == '\r' || message[i] == '\n')) i++;
        if (i < message.length && message[i] == '{') return JsonV1.parseBatch(message);
        throw new PayloadException(PayloadException.Kind.UNKNOWN_FORMAT, message.length == 0 ? "empty message"
                : String.format("leading byte 0x%02x is neither JSON v1 nor compact v1", message[0] & 0xff));
    }

    /** The v1 JSON of the batch in {@code message} (as the gateway would have sent it in JSON). */
    public static byte[] toJson(byte[] message) throws PayloadException {
        return JsonV1.batch(decode(message));
    }
}
