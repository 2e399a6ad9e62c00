package io.meterlink.drivers.wmbus;

import io.meterlink.drivers.mbus.Crc16;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.Arrays;

/**
 * Wireless M-Bus data link layer frames (EN 13757-4 §12.5): checks and removes the block CRCs of
 * frame format A or B, or accepts a frame whose CRCs were already removed (as dongles and rtl_wmbus
 * deliver them), telling them apart by length and CRC. Bytes after the L-declared end are ignored.
 * Stateless, thread-safe.
 */
public final class LinkLayer {
    /** L, C, M(2), A(6): the first block (EN 13757-4 §12.5.2). */
    static final int HEADER = 10;
    private static final int BLOCK = 16;
    /** Format B: the first CRC covers the first 126 bytes, L included (EN 13757-4 §12.5.3). */
    private static final int B_FIRST = 126;

    private LinkLayer() {}

    /**
     * Whether {@code c} is a C field a meter sends (EN 13757-4 §12.5.2): SND_NR 44, SND_IR 46, ACC_NR 47,
     * ACC_DMD 48, RSP_UD 08/18/28/38, ACK 00 and CNF_IR 06. Framers use it to tell a frame start from noise.
     */
    public static boolean plausibleC(int c) {
        return switch (c) {
            case 0x44, 0x46, 0x47, 0x48, 0x08, 0x18, 0x28, 0x38, 0x06, 0x00 -> true;
            default -> false;
        };
    }

    /**
     * The frame without CRCs, its L field counting the bytes after it.
     *
     * @throws DecodeException TRUNCATED when shorter than L says, CHECKSUM when a CRC is wrong
     */
    public static byte[] strip(byte[] f) throws DecodeException {
        byte[] out = stripShared(f);
        return out == f ? f.clone() : out;
    }

    /** As {@link #strip}, but returns {@code f} itself when it has nothing to remove: for readers only. */
    static byte[] stripShared(byte[] f) throws DecodeException {
        if (f.length < HEADER + 1) throw new DecodeException(Kind.TRUNCATED, "wireless frame shorter than 11 bytes");
        int l = f[0] & 0xFF;
        if (l < HEADER) throw new DecodeException(Kind.LENGTH, "L field " + l + " is shorter than the link header");
        // Format A with CRCs: block 1 (or, when block 1 is damaged, block 2) is followed by its CRC.
        if (f.length != l + 1 && f.length >= HEADER + 2 && (Crc16.matches(f, 0, HEADER) || secondBlockCrcOk(f, l))) return stripA(f, l);
        if (f.length == l + 1) {
            if (validB(f, l)) return stripB(f, l);
            return f;
        }
        if (f.length > l + 1) return Arrays.copyOf(f, l + 1); // CRCs removed, trailing bytes (e.g. a radio's RSSI byte)
        // Shorter than L: a format B frame whose CRC was removed while L kept counting it
        if (l + 1 <= B_FIRST + 2 && f.length == l - 1 && l > HEADER + 2) {
            byte[] out = f.clone();
            out[0] = (byte) (out.length - 1);
            return out;
        }
        throw new DecodeException(Kind.TRUNCATED, "frame has " + f.length + " bytes, L field says " + (l + 1));
    }

    /**
     * A frame a dongle delivered without CRCs: its first L + 1 bytes (bytes after them, such as an
     * RSSI byte, are dropped). Returns {@code f} itself when it is exactly that long: for readers only.
     *
     * @throws DecodeException TRUNCATED when shorter than L says, LENGTH when L is below the link header
     */
    static byte[] withoutCrcs(byte[] f) throws DecodeException {
        if (f.length < HEADER + 1) throw new DecodeException(Kind.TRUNCATED, "wireless frame shorter than 11 bytes");
        int l = f[0] & 0xFF;
        if (l < HEADER) throw new DecodeException(Kind.LENGTH, "L field " + l + " is shorter than the link header");
        if (f.length < l + 1) throw new DecodeException(Kind.TRUNCATED, "frame has " + f.length + " bytes, L field says " + (l + 1));
        return f.length == l + 1 ? f : Arrays.copyOf(f, l + 1);
    }

    /**
     * Whether {@code f}, taken as a frame without CRCs (its length is L + 1), could instead be a format
     * B frame whose last CRC is wrong (EN 13757-4 §12.5.3): up to 128 bytes the last two are its only
     * CRC; a longer one needs at least one byte after the first CRC (bytes 126–127), and that CRC to
     * check. 129 and 130 bytes cannot be format B.
     */
    static boolean couldBeFormatBWithWrongLastCrc(byte[] f) {
        if (f.length <= B_FIRST + 2) return true;
        return f.length >= B_FIRST + 2 + 3 && Crc16.matches(f, 0, B_FIRST);
    }

    /** Frame format A (EN 13757-4 §12.5.2): 10-byte first block, then 16-byte blocks, each with a CRC. */
    private static byte[] stripA(byte[] f, int l) throws DecodeException {
        int dataAfterHeader = l + 1 - HEADER;
        int blocks = 1 + (dataAfterHeader + BLOCK - 1) / BLOCK;
        int total = l + 1 + 2 * blocks;
        if (f.length < total) {
            throw new DecodeException(Kind.TRUNCATED, "format A frame needs " + total + " bytes with CRCs, got " + f.length);
        }
        byte[] out = new byte[l + 1];
        int in = 0, o = 0;
        for (int b = 0; b < blocks; b++) {
            int len = b == 0 ? HEADER : Math.min(BLOCK, l + 1 - o);
            if (!Crc16.matches(f, in, in + len)) throw new DecodeException(Kind.CHECKSUM, "format A CRC of block " + (b + 1) + " is wrong");
            System.arraycopy(f, in, out, o, len);
            in += len + 2;
            o += len;
        }
        return out;
    }

    private static boolean secondBlockCrcOk(byte[] f, int l) {
        int len = Math.min(BLOCK, l + 1 - HEADER);
        return len > 0 && f.length >= HEADER + 2 + len + 2 && Crc16.matches(f, HEADER + 2, HEADER + 2 + len);
    }

    private static boolean validB(byte[] f, int l) {
        int total = l + 1;
        if (total < HEADER + 3) return false;
        if (total <= B_FIRST + 2) return Crc16.matches(f, 0, total - 2);
        return Crc16.matches(f, 0, B_FIRST) && Crc16.matches(f, B_FIRST + 2, total - 2);
    }

    /** Frame format B (EN 13757-4 §12.5.3): L counts the CRCs; one CRC over up to 126 bytes, one over the rest. */
    private static byte[] stripB(byte[] f, int l) {
        int total = l + 1;
        byte[] out;
        if (total <= B_FIRST + 2) {
            out = Arrays.copyOf(f, total - 2);
        } else {
            out = new byte[total - 4];
            System.arraycopy(f, 0, out, 0, B_FIRST);
            System.arraycopy(f, B_FIRST + 2, out, B_FIRST, total - 2 - (B_FIRST + 2));
        }
        out[0] = (byte) (out.length - 1);
        return out;
    }

    /** Adds format A CRCs to a CRC-less frame (for tests and the simulator). */
    public static byte[] withCrcA(byte[] plain) {
        int l = plain.length - 1;
        int blocks = 1 + (plain.length - HEADER + BLOCK - 1) / BLOCK;
        byte[] out = new byte[plain.length + 2 * blocks];
        int in = 0, o = 0;
        for (int b = 0; b < blocks; b++) {
            int len = b == 0 ? HEADER : Math.min(BLOCK, l + 1 - in);
            System.arraycopy(plain, in, out, o, len);
            int crc = Crc16.of(plain, in, in + len);
            out[o + len] = (byte) (crc >> 8);
            out[o + len + 1] = (byte) crc;
            in += len;
            o += len + 2;
        }
        return out;
    }

    /** Adds format B CRCs to a CRC-less frame and sets L to count them (for tests and the simulator). */
    public static byte[] withCrcB(byte[] plain) {
        int n = plain.length;
        boolean two = n + 2 > B_FIRST + 2;
        byte[] out = new byte[n + (two ? 4 : 2)];
        out[0] = (byte) (out.length - 1);
        if (!two) {
            System.arraycopy(plain, 1, out, 1, n - 1);
            int crc = Crc16.of(out, 0, n);
            out[n] = (byte) (crc >> 8);
            out[n + 1] = (byte) crc;
        } else {
            System.arraycopy(plain, 1, out, 1, B_FIRST - 1);
            int crc = Crc16.of(out, 0, B_FIRST);
            out[B_FIRST] = (byte) (crc >> 8);
            out[B_FIRST + 1] = (byte) crc;
            System.arraycopy(plain, B_FIRST, out, B_FIRST + 2, n - B_FIRST);
            int crc2 = Crc16.of(out, B_FIRST + 2, out.length - 2);
            out[out.length - 2] = (byte) (crc2 >> 8);
            out[out.length - 1] = (byte) crc2;
        }
        return out;
    }
}
