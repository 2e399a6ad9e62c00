package io.meterlink.drivers.modbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedRecord;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A meter's register map as data (a profile file, docs/modbus.md): which values to read and how,
 * plus the device's limits for coalescing them into few requests. Immutable.
 *
 * @param name         the profile's name (its file name without {@code .yaml}), e.g. {@code eastron-sdm630}
 * @param manufacturer short code used in meter ids ({@code modbus:<manufacturer>:<id>}), e.g. {@code EAS}
 * @param model        the model for humans, e.g. {@code SDM630}
 * @param maxRegisters most registers one request may read (Modbus allows 125 for function codes 3/4)
 * @param maxBits      most bits one request may read (Modbus allows 2000 for function codes 1/2)
 * @param maxGap       most unused registers a request may span to join two values
 * @param values       the values, in the profile's order
 */
public record MeterProfile(String name, String manufacturer, String model, int maxRegisters, int maxBits, int maxGap,
                           List<RegisterValue> values) {
    /** Modbus application protocol v1.1b3 §6.3/§6.4: at most 125 registers per read. */
    public static final int MODBUS_MAX_REGISTERS = 125;
    /** Modbus application protocol v1.1b3 §6.1/§6.2: at most 2000 coils or inputs per read. */
    public static final int MODBUS_MAX_BITS = 2000;

    public MeterProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(manufacturer, "manufacturer");
        values = List.copyOf(values);
        if (values.isEmpty()) throw new IllegalArgumentException("a profile has at least one value");
        if (maxRegisters < 1 || maxRegisters > MODBUS_MAX_REGISTERS) throw new IllegalArgumentException("max_block must be 1.." + MODBUS_MAX_REGISTERS);
        if (maxBits < 1 || maxBits > MODBUS_MAX_BITS) throw new IllegalArgumentException("max_bits must be 1.." + MODBUS_MAX_BITS);
        if (maxGap < 0) throw new IllegalArgumentException("max_gap must be >= 0");
        for (RegisterValue v : values) {
            if (v.type().words() > maxRegisters) throw new IllegalArgumentException(v.name() + " is longer than max_block");
        }
    }

    /**
     * The requests that read every value: per function code, values sorted by address are joined
     * while the request stays within the device's block size and spans at most {@link #maxGap}
     * unused registers. Overlapping values share registers.
     */
    public List<ReadBlock> blocks() {
        List<RegisterValue> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.comparingInt(RegisterValue::function).thenComparingInt(RegisterValue::register));
        List<ReadBlock> out = new ArrayList<>();
        List<RegisterValue> current = new ArrayList<>();
        int fc = -1, start = 0, end = 0;
        for (RegisterValue v : sorted) {
            int limit = v.bits() ? maxBits : maxRegisters;
            boolean joins = !current.isEmpty() && v.function() == fc && v.register() - end <= maxGap
                    && Math.max(end, v.end()) - start <= limit;
            if (!joins) {
                if (!current.isEmpty()) out.add(new ReadBlock(fc, start, end - start, current));
                current = new ArrayList<>();
                fc = v.function();
                start = v.register();
                end = v.end();
            }
            current.add(v);
            end = Math.max(end, v.end());
        }
        out.add(new ReadBlock(fc, start, end - start, current));
        return out;
    }

    /**
     * The records of every value whose registers are in {@code image}, in profile order; a value
     * that cannot be decoded goes to {@code errors} and the others go on. Values the meter marks as
     * not available give no record.
     */
    public List<DecodedRecord> records(RegisterImage image, BiConsumer<RegisterValue, DecodeException> errors) {
        List<DecodedRecord> out = new ArrayList<>();
        for (RegisterValue v : values) {
            int[] words = image.get(v.function(), v.register(), v.type().words());
            if (words == null) continue;
            BigDecimal value;
            try {
                value = v.decode(words);
            } catch (DecodeException e) {
                errors.accept(v, e);
                continue;
            }
            if (value == null) continue;
            out.add(new DecodedRecord.Builder()
                    .put(DecodedRecord.QUANTITY, v.quantity().wireName())
                    .put(DecodedRecord.UNIT, v.unit().symbol())
                    .put(DecodedRecord.VALUE, value)
                    .put(DecodedRecord.FUNCTION, v.measurement().wireName())
                    .put(DecodedRecord.TARIFF, v.tariff())
                    .put(DecodedRecord.SUBUNIT, v.subunit())
                    .put("name", v.name())
                    .put("fc", v.function())
                    .put("register", String.format("0x%04X", v.register()))
                    .put("type", v.type().wireName())
                    .build());
        }
        return out;
    }
}
