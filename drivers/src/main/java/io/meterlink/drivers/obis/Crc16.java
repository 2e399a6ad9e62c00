package io.meterlink.drivers.obis;

/**
 * The reflected CRC-16 with polynomial 0x1021 that SML, DSMR and DLMS HDLC use, in its two
 * parameter sets: CRC-16/X-25 (init and final XOR 0xFFFF; check value of "123456789" 0x906E) and
 * CRC-16/KERMIT (init 0, no final XOR; check value 0x2189), plus CRC-16/ARC (polynomial 0x8005
 * reflected, init 0; check value 0xBB3D) that DSMR P1 telegrams carry. Stateless.
 */
public final class Crc16 {
    private static final int[] CCITT = table(0x8408);
    private static final int[] ARC = table(0xA001);

    private Crc16() {}

    private static int[] table(int poly) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? c >>> 1 ^ poly : c >>> 1;
            t[i] = c;
        }
        return t;
    }

    private static int run(int[] table, int crc, byte[] b, int from, int to) {
        for (int i = from; i < to; i++) crc = crc >>> 8 ^ table[(crc ^ b[i]) & 0xFF];
        return crc;
    }

    public static int x25(byte[] b, int from, int to) { return run(CCITT, 0xFFFF, b, from, to) ^ 0xFFFF; }

    public static int kermit(byte[] b, int from, int to) { return run(CCITT, 0, b, from, to); }

    public static int arc(byte[] b, int from, int to) { return run(ARC, 0, b, from, to); }
}
