package io.meterlink.drivers.iec62056;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Short texts of a readout or telegram (data set addresses, unit texts) already met, with what they
 * mean, looked up by their bytes: a meter sends the same few dozen in every telegram, so neither the
 * text nor its meaning is made again. A table of the last text per hash slot, each text in one of two
 * slots (by two hashes); entries are immutable,
 * so threads share it without locks (a lost update only costs making one again).
 *
 * @param <T> what a text means (its OBIS code, its unit)
 */
final class SeenTexts<T> {
    /** One text: its bytes, as a string, and its meaning (may be {@code null}). */
    record Entry<T>(byte[] bytes, String text, T meaning) { }

    private final Entry<T>[] seen;
    private final Function<String, T> meaning;
    private final int maxLength;

    /**
     * @param slots     a power of two
     * @param maxLength longest text kept (in bytes); a longer one is made per call and never stored
     */
    @SuppressWarnings("unchecked")
    SeenTexts(int slots, int maxLength, Function<String, T> meaning) {
        this.seen = new Entry[slots];
        this.meaning = meaning;
        this.maxLength = maxLength;
    }

    Entry<T> of(byte[] t, int from, int to) {
        if (to - from > maxLength) { // a long text is no repeated address or unit: kept, it would only hold memory
            byte[] b = Arrays.copyOfRange(t, from, to);
            String text = new String(b, StandardCharsets.ISO_8859_1);
            return new Entry<>(b, text, meaning.apply(text));
        }
        int h = 0;
        for (int i = from; i < to; i++) h = 31 * h + t[i];
        int slot = (h ^ h >>> 10) & seen.length - 1;
        int other = (h * 0x9E3779B9 >>> 16) & seen.length - 1; // a second place: two texts of one meter that share a slot do not push each other out
        Entry<T> e = seen[slot];
        if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, t, from, to)) return e;
        Entry<T> o = seen[other];
        if (o != null && Arrays.equals(o.bytes, 0, o.bytes.length, t, from, to)) return o;
        byte[] b = Arrays.copyOfRange(t, from, to);
        String text = new String(b, StandardCharsets.ISO_8859_1);
        e = new Entry<>(b, text, meaning.apply(text));
        seen[seen[slot] == null || seen[other] != null ? slot : other] = e;
        return e;
    }
}
