package io.meterlink.drivers.modbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One value of a {@link MeterProfile}: where it is (function code and 0-based register address as
 * on the wire), how it is coded, and what it means. Immutable; validated when built.
 *
 * @param name          the profile's name for the value, e.g. {@code energy_import}
 * @param function      Modbus function code: 3 holding registers, 4 input registers, 1 coils, 2 discrete inputs
 * @param register      0-based protocol address of the first register (or bit)
 * @param type          the layout
 * @param lowWordFirst  the least significant register comes first (word-swapped values)
 * @param littleBytes   the two bytes of each register are swapped (low byte first)
 * @param allOnesNotAvailable all bits set (signed: 7F FF …) means "no value" rather than a number
 * @param scale         the raw number times this is the value in the profile's unit (10^n or a factor)
 * @param quantity      what is measured
 * @param unit          canonical unit of the reading
 * @param unitFactor    from the profile's unit to {@code unit} (kWh → Wh: 1000)
 * @param measurement   instantaneous, max, min
 * @param tariff        tariff register (0 = total)
 * @param subunit       sub-unit that keeps phases and directions apart in the measurement key
 * @param line          line of the value in its profile file (for messages), 0 when unknown
 */
public record RegisterValue(String name, int function, int register, DataType type, boolean lowWordFirst,
                            boolean littleBytes, boolean allOnesNotAvailable, BigDecimal scale, Quantity quantity,
                            Unit unit, BigDecimal unitFactor, MeasurementFunction measurement, int tariff,
                            int subunit, int line) {
    public RegisterValue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unit, "unit");
        if (function < 1 || function > 4) throw new IllegalArgumentException("function code must be 1, 2, 3 or 4");
        if ((function <= 2) != (type == DataType.BOOL)) throw new IllegalArgumentException("function codes 1 and 2 read bits (type bool); 3 and 4 read registers");
        if (register < 0 || register + type.words() > 0x10000) throw new IllegalArgumentException("register out of range 0..65535");
        if (!quantity.units().contains(unit)) throw new IllegalArgumentException("unit " + unit.symbol() + " is not valid for " + quantity.wireName());
        if (tariff < 0 || subunit < 0) throw new IllegalArgumentException("tariff and subunit must be >= 0");
    }

    /** One past the last register (or bit) of the value. */
    public int end() { return register + type.words(); }

    /** Whether this value reads bits (function codes 1 and 2). */
    public boolean bits() { return function <= 2; }

    /**
     * The value in its canonical unit from its registers ({@code words}, each 0..65535, in address
     * order), or {@code null} when the meter says it has none (NaN, a not-available code).
     */
    public BigDecimal decode(int[] words) throws DecodeException {
        if (words.length != type.words()) throw new DecodeException(DecodeException.Kind.LENGTH, name + ": expected " + type.words() + " registers, got " + words.length);
        BigDecimal raw;
        if (type == DataType.BOOL) {
            raw = words[0] == 0 ? BigDecimal.ZERO : BigDecimal.ONE;
        } else {
            raw = type.decode(bytes(words), allOnesNotAvailable);
            if (raw == null) return null;
        }
        BigDecimal v = raw.multiply(scale).multiply(unitFactor);
        if (v.signum() == 0) return BigDecimal.ZERO;
        v = v.stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    /** The registers as one big-endian number: words in significance order, bytes of each high first. */
    byte[] bytes(int[] words) {
        byte[] b = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
            int w = words[lowWordFirst ? words.length - 1 - i : i];
            b[2 * i] = (byte) (littleBytes ? w : w >> 8);
            b[2 * i + 1] = (byte) (littleBytes ? w >> 8 : w);
        }
        return b;
    }

    /** Inverse of {@link #bytes}: the registers (in address order) of a big-endian number (for simulators and tests). */
    public int[] words(byte[] bigEndian) {
        int n = bigEndian.length / 2;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int hi = bigEndian[2 * i] & 0xFF, lo = bigEndian[2 * i + 1] & 0xFF;
            int w = littleBytes ? lo << 8 | hi : hi << 8 | lo;
            out[lowWordFirst ? n - 1 - i : i] = w;
        }
        return out;
    }
}
