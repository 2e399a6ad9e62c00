package io.meterlink.drivers.obis;

/**
 * An OBIS code (IEC 62056-6-1): value groups A (medium), B (channel), C (quantity), D (processing),
 * E (tariff or further classification), F (historical value), each 0..255. Short EDIS codes of
 * optical readouts ({@code 1.8.0}, {@code F.F}, {@code C.1.0}) leave A, B and F out; they are 255
 * here (vzlogger's convention, also the "not used" value of the standard). Immutable.
 */
public record Obis(int a, int b, int c, int d, int e, int f) {
    /** The letter codes of IEC 62056-6-1 §5.5 for value group C: C = 96, F = 97, L = 98, P = 99. */
    private static final String LETTERS = "CFLP";
    private static final int NAMES_MAX = 4096;
    /** The text of codes already shown: the same few dozen codes come in every telegram or SML file. */
    private static final java.util.Map<Obis, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    public Obis {
        if ((a | b | c | d | e | f) >>> 8 != 0) { // one of them outside 0..255
            throw new IllegalArgumentException("OBIS value group out of 0..255: " + a + "-" + b + ":" + c + "." + d + "." + e + "*" + f);
        }
    }

    /** From 6 bytes (SML, DLMS). */
    public static Obis of(byte[] b) {
        if (b.length != 6) throw new IllegalArgumentException("an OBIS code has 6 bytes, got " + b.length);
        return new Obis(b[0] & 0xFF, b[1] & 0xFF, b[2] & 0xFF, b[3] & 0xFF, b[4] & 0xFF, b[5] & 0xFF);
    }

    /**
     * Parses {@code A-B:C.D.E*F}, {@code A-B:C.D.E} (F = 255), {@code C.D.E}, {@code C.D} and letter
     * forms such as {@code F.F} or {@code C.1.0}; {@code &} is taken as {@code *} (some meters write it).
     * Returns {@code null} when {@code s} is not an OBIS code.
     */
    public static Obis parse(String s) {
        int n = s.length();
        int colon = s.indexOf(':');
        int a = 255, b = 255, f = 255, p = 0;
        if (colon >= 0) {
            int dash = s.indexOf('-');
            if (dash < 0 || dash > colon) return null;
            a = group(s, 0, dash);
            b = group(s, dash + 1, colon);
            p = colon + 1;
        } else if (s.indexOf('-') >= 0) {
            return null;
        }
        int star = Math.max(s.indexOf('*', p), s.indexOf('&', p));
        int end = n;
        if (star >= 0) {
            f = group(s, star + 1, n);
            end = star;
        }
        int dot1 = s.indexOf('.', p);
        if (dot1 < 0 || dot1 >= end) return null;
        int dot2 = s.indexOf('.', dot1 + 1);
        if (dot2 >= end) dot2 = -1;
        if (dot2 >= 0 && s.indexOf('.', dot2 + 1) >= 0 && s.indexOf('.', dot2 + 1) < end) return null;
        int c = group(s, p, dot1);
        int d = group(s, dot1 + 1, dot2 < 0 ? end : dot2);
        int e = dot2 < 0 ? 255 : group(s, dot2 + 1, end);
        if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || f < 0) return null;
        return new Obis(a, b, c, d, e, f);
    }

    /** One value group {@code s[from, to)}: 1–3 digits up to 255 or a letter C/F/L/P; -1 otherwise. */
    private static int group(String s, int from, int to) {
        int len = to - from;
        if (len == 1 && LETTERS.indexOf(s.charAt(from)) >= 0) return 96 + LETTERS.indexOf(s.charAt(from));
        if (len <= 0 || len > 3) return -1;
        int v = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            v = v * 10 + (ch - '0');
        }
        return v <= 255 ? v : -1;
    }

    /** {@code A-B:C.D.E*F}, e.g. {@code 1-0:1.8.0*255}. */
    @Override
    public String toString() {
        String t = NAMES.get(this);
        if (t == null) {
            t = a + "-" + b + ":" + c + "." + d + "." + e + "*" + f;
            if (NAMES.size() >= NAMES_MAX) NAMES.clear(); // codes repeat in every telegram; a flood of distinct ones only costs the cache
            NAMES.put(this, t);
        }
        return t;
    }
}
