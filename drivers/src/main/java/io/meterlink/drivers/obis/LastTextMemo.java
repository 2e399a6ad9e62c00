package io.meterlink.drivers.obis;

import java.util.function.UnaryOperator;

/**
 * A function of a text that remembers its last input and result: a telegram repeats the same text
 * (its time, an equipment id) in several data sets, and every telegram of one meter repeats it again.
 * Shared between threads without locks: an entry is immutable (final fields) and read once per call.
 */
public final class LastTextMemo {
    private record Entry(String in, String out) { }

    private final UnaryOperator<String> f;
    private Entry last;

    public LastTextMemo(UnaryOperator<String> f) {
        this.f = f;
    }

    /** {@code f(s)}, computed again only when {@code s} differs from the last input; the result may be {@code null}. */
    public String apply(String s) {
        Entry e = last;
        if (e != null && e.in.equals(s)) return e.out;
        String out = f.apply(s);
        last = new Entry(s, out);
        return out;
    }
}
