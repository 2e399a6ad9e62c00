package io.meterlink.drivers.modbus;

import io.meterlink.core.api.driver.DecodeException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * How a value is laid out in 16-bit registers (or, for {@link #BOOL}, in one status bit of function
 * code 1 or 2). Words are combined in the value's word order into a big-endian number first (see
 * {@link RegisterValue#bytes}). Stateless.
 */
public enum DataType {
    U16(1), S16(1), U32(2), S32(2), U64(4), S64(4), F32(2), F64(4),
    /** Binary-coded decimal, 4 digits per register (e.g. a 16-bit meter address or counter). */
    BCD16(1), BCD32(2),
    /** One status bit (coil or discrete input). */
    BOOL(1);

    private final int words;

    DataType(int words) { this.words = words; }

    /** Registers (or bits, for {@link #BOOL}) the value occupies. */
    public int words() { return words; }

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public boolean signed() { return this == S16 || this == S32 || this == S64; }

    public boolean floating() { return this == F32 || this == F64; }

    public static DataType ofWireName(String name) {
        for (DataType t : values()) if (t.wireName().equals(name)) return t;
        return null;
    }

    /**
     * The number in {@code b} (big-endian, {@code 2 × words()} bytes), or {@code null} when the
     * register holds no value (a float NaN or infinity; {@code notAvailable} all-ones codes).
     */
    BigDecimal decode(byte[] b, boolean allOnesNotAvailable) throws DecodeException {
        if (allOnesNotAvailable && notAvailable(b)) return null;
        switch (this) {
            case F32 -> {
                float f = java.nio.ByteBuffer.wrap(b).getFloat();
                return Float.isFinite(f) ? new BigDecimal(Float.toString(f)) : null;
            }
            case F64 -> {
                double d = java.nio.ByteBuffer.wrap(b).getDouble();
                return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : null;
            }
            case BCD16, BCD32 -> {
                long v = 0;
                for (byte x : b) {
                    int hi = (x >> 4) & 0xF, lo = x & 0xF;
                    if (hi > 9 || lo > 9) throw new DecodeException(DecodeException.Kind.VALUE_RANGE, "not a BCD digit in " + wireName() + " value");
                    v = v * 100 + hi * 10 + lo;
                }
                return BigDecimal.valueOf(v);
            }
            default -> {
                return new BigDecimal(signed() ? new BigInteger(b) : new BigInteger(1, b));
            }
        }
    }

    /** Meters' "not available" codes: all bits set (unsigned), or the largest positive number (signed: 7F FF …). */
    private boolean notAvailable(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            int want = signed() && i == 0 ? 0x7F : 0xFF;
            if ((b[i] & 0xFF) != want) return false;
        }
        return true;
    }
}
