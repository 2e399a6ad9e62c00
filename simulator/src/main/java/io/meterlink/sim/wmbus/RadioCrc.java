package io.meterlink.sim.wmbus;

/**
 * The simulator's own CRC-16 of wireless M-Bus (EN 13757-4 §12.5.5): polynomial 0x3D65, initial
 * value 0, not reflected, final XOR 0xFFFF, sent high byte first. Stateless, thread-safe.
 */
public final class RadioCrc {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 8;
            for (int k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? (c << 1) ^ 0x3D65 : c << 1;
            TABLE[i] = c & 0xFFFF;
        }
    }

    private RadioCrc() {}

    /** CRC of {@code b[from..to)}. */
    public static int of(byte[] b, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) c = ((c << 8) ^ TABLE[((c >>> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        return c ^ 0xFFFF;
    }

    /**
     * Frame format A on air (EN 13757-4 §12.5.2): the first block (L, C, M, A: 10 bytes) and then
     * every 16 bytes (the last block shorter) each followed by their CRC.
     *
     * @param plain a frame without CRCs, L counting the bytes after it
     */
    public static byte[] formatA(byte[] plain) {
        int rest = plain.length - 10;
        int blocks = 1 + (rest + 15) / 16;
        byte[] out = new byte[plain.length + 2 * blocks];
        int in = 0, o = 0;
        while (in < plain.length) {
            int len = in == 0 ? 10 : Math.min(16, plain.length - in);
            System.arraycopy(plain, in, out, o, len);
            int crc = of(plain, in, in + len);
            out[o + len] = (byte) (crc >>> 8);
            out[o + len + 1] = (byte) crc;
            in += len;
            o += len + 2;
        }
        return out;
    }
}
