package io.meterlink.drivers.mbus;

/**
 * CRC-16 of wireless M-Bus (EN 13757-4 §12.5.5 / Annex B): polynomial 0x3D65, initial value 0, not
 * reflected, final XOR 0xFFFF, sent high byte first. Also used for the ELL payload CRC
 * (EN 13757-4 §13.2.11) and for the format signature and full-frame CRC of compact frames (OMS Vol 2,
 * CI 79/7B/73). Stateless, thread-safe.
 */
public final class Crc16 {
    private static final int POLY = 0x3D65;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ POLY : crc << 1;
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Crc16() {}

    /** CRC of {@code b[from..to)}. */
    public static int of(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        return crc ^ 0xFFFF;
    }

    /** True when the two bytes at {@code at} (high byte first) are the CRC of {@code b[from..at)}. */
    public static boolean matches(byte[] b, int from, int at) {
        if (at + 2 > b.length || at < from) return false;
        return of(b, from, at) == ((b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF));
    }
}
