package io.meterlink.drivers.crc;

/**
 * Every 16-bit CRC the drivers check, table-driven, one instance per parameter set (polynomial,
 * initial value, bit order, final XOR; the catalogue's names and check values of "123456789"):
 * <ul>
 *   <li>{@link #X25} CRC-16/X-25: poly 0x1021 reflected, init and xor-out 0xFFFF (check 0x906E): SML files, DLMS HDLC;</li>
 *   <li>{@link #KERMIT} CRC-16/KERMIT: poly 0x1021 reflected, init 0 (check 0x2189): SML of Holley and other meters;</li>
 *   <li>{@link #ARC} CRC-16/ARC: poly 0x8005 reflected, init 0 (check 0xBB3D): DSMR P1 telegrams;</li>
 *   <li>{@link #EN13757} CRC-16/EN-13757: poly 0x3D65, init 0, xor-out 0xFFFF (check 0xC2B7): wireless M-Bus;</li>
 *   <li>{@link #GENIBUS} CRC-16/GENIBUS: poly 0x1021, init and xor-out 0xFFFF (check 0xD64E): ERT SCM+, IDM, NetIDM;</li>
 *   <li>{@link #SCM_BCH} the remainder modulo x^16 + 0x6F63, init 0 (ERT SCM's BCH code).</li>
 * </ul>
 * Immutable, thread-safe.
 */
public final class Crc16 {
    public static final Crc16 X25 = new Crc16(0x1021, 0xFFFF, true, 0xFFFF);
    public static final Crc16 KERMIT = new Crc16(0x1021, 0, true, 0);
    public static final Crc16 ARC = new Crc16(0x8005, 0, true, 0);
    public static final Crc16 EN13757 = new Crc16(0x3D65, 0, false, 0xFFFF);
    public static final Crc16 GENIBUS = new Crc16(0x1021, 0xFFFF, false, 0xFFFF);
    public static final Crc16 SCM_BCH = new Crc16(0x6F63, 0, false, 0);

    private final int[] table = new int[256];
    /** Reflected parameter sets only: the tables for 2, 3 and 4 bytes on (slicing by 4: four bytes per step). */
    private final int[] table1, table2, table3;
    private final int init;
    private final boolean reflected;
    private final int xorOut;

    private Crc16(int poly, int init, boolean reflected, int xorOut) {
        this.init = init;
        this.reflected = reflected;
        this.xorOut = xorOut;
        int rpoly = Integer.reverse(poly) >>> 16;
        for (int i = 0; i < 256; i++) {
            int c;
            if (reflected) {
                c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? c >>> 1 ^ rpoly : c >>> 1;
            } else {
                c = i << 8;
                for (int k = 0; k < 8; k++) c = (c & 0x8000) != 0 ? (c << 1 ^ poly) & 0xFFFF : c << 1 & 0xFFFF;
            }
            table[i] = c;
        }
        if (reflected) {
            table1 = new int[256];
            table2 = new int[256];
            table3 = new int[256];
            for (int i = 0; i < 256; i++) {
                table1[i] = table[i] >>> 8 ^ table[table[i] & 0xFF];
                table2[i] = table1[i] >>> 8 ^ table[table1[i] & 0xFF];
                table3[i] = table2[i] >>> 8 ^ table[table2[i] & 0xFF];
            }
        } else {
            table1 = table2 = table3 = null;
        }
    }

    /** The CRC of {@code b[from, to)}. */
    public int of(byte[] b, int from, int to) {
        int c = init;
        if (reflected) {
            int i = from;
            for (; i + 4 <= to; i += 4) { // the 16-bit register takes in two bytes; the next two enter through their own tables
                c ^= b[i] & 0xFF | (b[i + 1] & 0xFF) << 8;
                c = table3[c & 0xFF] ^ table2[c >>> 8] ^ table1[b[i + 2] & 0xFF] ^ table[b[i + 3] & 0xFF];
            }
            for (; i < to; i++) c = c >>> 8 ^ table[(c ^ b[i]) & 0xFF];
        } else {
            for (int i = from; i < to; i++) c = (c << 8 ^ table[(c >>> 8 ^ b[i]) & 0xFF]) & 0xFFFF;
        }
        return c ^ xorOut;
    }
}
