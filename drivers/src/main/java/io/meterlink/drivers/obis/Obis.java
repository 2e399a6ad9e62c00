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

    public Obis {
        for (int v : new int[] {a, b, c, d, e, f}) {
            if (v < 0 || v > 255) throw new IllegalArgumentException("OBIS value group out of 0..255: " + v);
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
        int a = 255, b = 255, f = 255;
        String rest = s;
        int dash = rest.indexOf('-'), colon = rest.indexOf(':');
        if (colon >= 0) {
            if (dash < 0 || dash > colon) return null;
            a = group(rest.substring(0, dash));
            b = group(rest.substring(dash + 1, colon));
            rest = rest.substring(colon + 1);
        } else if (dash >= 0) {
            return null;
        }
        int star = Math.max(rest.indexOf('*'), rest.indexOf('&'));
        if (star >= 0) {
            f = group(rest.substring(star + 1));
            rest = rest.substring(0, star);
        }
        String[] parts = rest.split("\\.", -1);
        if (parts.length < 2 || parts.length > 3) return null;
        int c = group(parts[0]), d = group(parts[1]), e = parts.length == 3 ? group(parts[2]) : 255;
        if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || f < 0) return null;
        return new Obis(a, b, c, d, e, f);
    }

    private static int group(String s) {
        if (s.length() == 1 && LETTERS.indexOf(s.charAt(0)) >= 0) return 96 + LETTERS.indexOf(s.charAt(0));
        if (s.isEmpty() || s.length() > 3) return -1;
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            v = v * 10 + (ch - '0');
        }
        return v <= 255 ? v : -1;
    }

    /** {@code A-B:C.D.E*F}, e.g. {@code 1-0:1.8.0*255}. */
    @Override
    public String toString() {
        return a + "-" + b + ":" + c + "." + d + "." + e + "*" + f;
    }
}
