package io.meterlink.drivers.mbus;

/**
 * CRC-16 of wireless M-Bus (EN 13757-4 §12.5.5 / Annex B): CRC-16/EN-13757 of
 * {@link io.meterlink.drivers.crc.Crc16}, sent high byte first. Also used for the ELL payload CRC
 * (EN 13757-4 §13.2.11) and for the format signature and full-frame CRC of compact frames (OMS Vol 2,
 * CI 79/7B/73). Stateless, thread-safe.
 */
public final class Crc16 {
    private Crc16() {}

    /** CRC of {@code b[from..to)}. */
    public static int of(byte[] b, int from, int to) {
        return io.meterlink.drivers.crc.Crc16.EN13757.of(b, from, to);
    }

    /** True when the two bytes at {@code at} (high byte first) are the CRC of {@code b[from..at)}. */
    public static boolean matches(byte[] b, int from, int at) {
        if (at + 2 > b.length || at < from) return false;
        return of(b, from, at) == ((b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF));
    }
}
