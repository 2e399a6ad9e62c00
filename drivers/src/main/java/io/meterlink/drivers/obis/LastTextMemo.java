package io.meterlink.drivers.obis;

import java.util.function.UnaryOperator;

/**
 * A function of a text that remembers its last inputs and results (one per slot of eight): a telegram repeats the same text
 * (its time, an equipment id) in several data sets, and every telegram of one meter repeats it again.
 * Shared between threads without locks: an entry is immutable (final fields) and read once per call.
 */
public final class LastTextMemo {
    private record Entry(String in, String out) { }

    private static final int SLOTS = 8; // a power of two

    private final UnaryOperator<String> f;
    /** The last input and result per slot (by the input's hash): a telegram's few distinct times each keep theirs. */
    private final Entry[] last = new Entry[SLOTS];

    public LastTextMemo(UnaryOperator<String> f) {
        this.f = f;
    }

    /** {@code f(s)}, computed again only when {@code s} differs from the last input of its slot; the result may be {@code null}. */
    public String apply(String s) {
        int h = s.hashCode();
        int slot = (h ^ h >>> 7) & SLOTS - 1;
        Entry e = last[slot];
        if (e != null && e.in.equals(s)) return e.out;
        String out = f.apply(s);
        last[slot] = new Entry(s, out);
        return out;
    }
}
