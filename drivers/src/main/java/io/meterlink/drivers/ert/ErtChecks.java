package io.meterlink.drivers.ert;

import io.meterlink.drivers.crc.Crc16;

/** The checksums of the ERT packets. Pure functions over packed big-endian bit strings. */
public final class ErtChecks {
    private ErtChecks() {}

    /** SCM's BCH code: the remainder of the bytes as a polynomial divided by x^16 + 0x6F63 (no initial value, no final xor). */
    public static int bch(byte[] b, int from, int to) { return Crc16.SCM_BCH.of(b, from, to); }

    /** CRC-16 with polynomial 0x1021, initial 0xFFFF, complemented (CRC-16/GENIBUS, as SCM+, IDM and NetIDM carry it). Residue over data + CRC: 0x1D0F. */
    public static int ccitt(byte[] b, int from, int to) { return Crc16.GENIBUS.of(b, from, to); }

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
