package io.meterlink.drivers.ert;

/** The checksums of the ERT packets. Pure functions over packed big-endian bit strings. */
public final class ErtChecks {
    private ErtChecks() {}

    /** SCM's BCH code: the remainder of the bytes as a polynomial divided by x^16 + 0x6F63 (no initial value, no final xor). */
    public static int bch(byte[] b, int from, int to) {
        return crc16(b, from, to, 0x6F63, 0);
    }

    /** CRC-16 with polynomial 0x1021, initial 0xFFFF, complemented (as SCM+, IDM and NetIDM carry it). Residue over data + CRC: 0x1D0F. */
    public static int ccitt(byte[] b, int from, int to) {
        return crc16(b, from, to, 0x1021, 0xFFFF) ^ 0xFFFF;
    }

    private static int crc16(byte[] b, int from, int to, int poly, int init) {
        int c = init;
        for (int i = from; i < to; i++) {
            c ^= (b[i] & 0xFF) << 8;
            for (int k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? ((c << 1) ^ poly) & 0xFFFF : (c << 1) & 0xFFFF;
        }
        return c;
    }

    /** Bits {@code [offset, offset+length)} of a big-endian bit string, as an unsigned number; {@code length <= 63}. */
    public static long bits(byte[] b, int offset, int length) {
        long v = 0;
        for (int i = offset; i < offset + length; i++) v = (v << 1) | ((b[i >>> 3] >>> (7 - (i & 7))) & 1);
        return v;
    }

    /** Writes the low {@code length} bits of {@code value} at bit {@code offset}. */
    public static void putBits(byte[] b, int offset, int length, long value) {
        for (int i = 0; i < length; i++) {
            int bit = (int) (value >>> (length - 1 - i)) & 1;
            int at = offset + i;
            if (bit == 1) b[at >>> 3] |= (byte) (0x80 >>> (at & 7));
            else b[at >>> 3] &= (byte) ~(0x80 >>> (at & 7));
        }
    }
}
