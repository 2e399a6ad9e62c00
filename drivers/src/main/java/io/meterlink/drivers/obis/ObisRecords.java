package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.driver.DecodedRecord;

import java.math.BigDecimal;

/**
 * One OBIS value as a family-neutral record, the same shape for SML, P1 and IEC 62056-21:
 * {@code obis, quantity, unit, value, tariff, meter_time} then {@code direction, phase, function,
 * channel} where they apply. A code without a canonical meaning is kept with its code, unit and
 * value (no quantity); a unit that does not fit the code's quantity drops the quantity, never the value.
 */
public final class ObisRecords {
    private ObisRecords() {}

    /**
     * @param value     the meter's value before unit conversion (exact), or {@code null} for a text value
     * @param text      a text value (identifier, timestamp text) when {@code value} is null
     * @param unit      the meter's unit, or {@code null}
     * @param meterTime ISO-8601 time of the value, or {@code null}
     */
    /** True when a value of {@code code} in {@code unit} has a canonical quantity (so a unit-less value is still a number). */
    public static boolean hasQuantity(Obis code, MeterUnit unit) {
        return ObisMeaning.of(code, unit).quantity() != null;
    }

    public static DecodedRecord record(Obis code, BigDecimal value, String text, MeterUnit unit, String meterTime) {
        ObisMeaning m = ObisMeaning.of(code, unit);
        boolean fits = m.quantity() != null && unit != null && unit.canonical() != null && m.quantity().units().contains(unit.canonical())
                || m.quantity() != null && unit == null && m.quantity().units().contains(io.meterlink.core.api.Unit.NONE);
        DecodedRecord.Builder r = new DecodedRecord.Builder();
        r.put("obis", code.toString());
        if (value != null && fits) r.put(DecodedRecord.QUANTITY, m.quantity().wireName());
        if (unit != null) r.put(DecodedRecord.UNIT, unit.symbol());
        if (value != null) r.put(DecodedRecord.VALUE, plain(unit == null ? value : unit.apply(value)));
        else r.put(DecodedRecord.VALUE, text);
        if (value != null && fits) r.put(DecodedRecord.TARIFF, m.tariff());
        r.put(DecodedRecord.METER_TIME, meterTime);
        if (value != null && fits) {
            r.put("direction", m.direction());
            r.put("phase", m.phase());
            if (m.function() != MeasurementFunction.INSTANTANEOUS) r.put(DecodedRecord.FUNCTION, m.function().wireName());
        }
        return r.build();
    }

    /** Without trailing zeros, never in exponent form when shown (1E+3 → 1000 by the renderer's plain setting). */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
