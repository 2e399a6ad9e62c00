package io.meterlink.cli;

/**
 * Hex text to bytes for {@code meterlink decode --hex}: pairs of hex digits, whitespace anywhere
 * (also between the two digits of a byte). Any other character is skipped and counted. Not thread-safe.
 */
final class HexText {
    private int high = -1;
    private long skipped;

    /** Converts {@code length} characters of {@code in}; returns the number of bytes written to {@code out} (at most length/2 + 1). */
    int convert(byte[] in, int length, byte[] out) {
        int n = 0;
        for (int i = 0; i < length; i++) {
            int c = in[i];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
            int d = Character.digit(c, 16);
            if (d < 0) {
                skipped++;
                continue;
            }
            if (high < 0) {
                high = d;
            } else {
                out[n++] = (byte) (high << 4 | d);
                high = -1;
            }
        }
        return n;
    }

    /** Characters that were neither hex digits nor whitespace so far. */
    long skipped() { return skipped; }

    /** True when the text ended in the middle of a byte. */
    boolean oddDigit() { return high >= 0; }
}
