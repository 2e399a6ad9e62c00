package io.meterlink.drivers.mbus;

/** The data field of the DIF, bits 0–3: how the value is coded and how long it is (EN 13757-3 §6.3.3, Table 4). */
public enum DataFieldCoding {
    NONE(0, 0), INT8(1, 1), INT16(2, 2), INT24(3, 3), INT32(4, 4), REAL32(5, 4), INT48(6, 6), INT64(7, 8),
    SELECTION(8, 0), BCD2(9, 1), BCD4(10, 2), BCD6(11, 3), BCD8(12, 4), VARIABLE(13, -1), BCD12(14, 6), SPECIAL(15, 0);

    private static final DataFieldCoding[] BY_CODE = values();
    private final int code;
    private final int length;

    DataFieldCoding(int code, int length) {
        this.code = code;
        this.length = length;
    }

    /** Coding for the DIF's low nibble. */
    public static DataFieldCoding ofDif(int dif) { return BY_CODE[dif & 0x0F]; }

    public int code() { return code; }

    /** Length of the data in bytes; -1 for variable length (LVAR follows). */
    public int length() { return length; }

    public boolean isInteger() { return this == INT8 || this == INT16 || this == INT24 || this == INT32 || this == INT48 || this == INT64; }

    public boolean isBcd() { return this == BCD2 || this == BCD4 || this == BCD6 || this == BCD8 || this == BCD12; }
}
