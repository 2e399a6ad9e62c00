package io.meterlink.core.buffer;

import java.util.zip.CRC32C;

/**
 * The checksum stored with each reading: CRC-32C (Castagnoli) over the seq as 8 bytes big-endian
 * followed by the encoded body, so a flipped bit in either, or a body moved to another row, is seen
 * on read. Stored as a non-negative INTEGER.
 */
final class Checksums {

    private Checksums() {
    }

    static long of(long seq, byte[] body) {
        CRC32C crc = new CRC32C();
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (seq >>> shift) & 0xff);
        }
        crc.update(body, 0, body.length);
        return crc.getValue();
    }

    /** True when {@code stored} matches; a NULL checksum (a row written before schema 2) is not checked. */
    static boolean matches(long seq, byte[] body, Long stored) {
        return stored == null || stored == of(seq, body);
    }
}
