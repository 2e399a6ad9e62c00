package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

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
        return record(code, value, text, unit, meterTime, List.of());
    }

    /** As {@link #record(Obis, BigDecimal, String, MeterUnit, String)}, with {@code extra} facts at the end (a P1 channel and its meter). */
    public static DecodedRecord record(Obis code, BigDecimal value, String text, MeterUnit unit, String meterTime, List<Fact> extra) {
        ObisMeaning m = ObisMeaning.of(code, unit);
        boolean fits = value != null && m.quantity() != null
                && (unit != null && unit.canonical() != null && m.quantity().units().contains(unit.canonical())
                    || unit == null && m.quantity().units().contains(Unit.NONE));
        List<Fact> f = new ArrayList<>(10 + extra.size());
        f.add(new Fact("obis", code.toString()));
        if (fits) f.add(new Fact(DecodedRecord.QUANTITY, m.quantity().wireName()));
        if (unit != null) f.add(new Fact(DecodedRecord.UNIT, unit.symbol()));
        if (value != null) f.add(new Fact(DecodedRecord.VALUE, plain(unit == null ? value : unit.apply(value))));
        else if (text != null) f.add(new Fact(DecodedRecord.VALUE, text));
        if (fits) f.add(new Fact(DecodedRecord.TARIFF, m.tariff()));
        if (meterTime != null) f.add(new Fact(DecodedRecord.METER_TIME, meterTime));
        if (fits) {
            if (m.direction() != null) f.add(new Fact("direction", m.direction()));
            if (m.phase() != null) f.add(new Fact("phase", m.phase()));
            if (m.function() != MeasurementFunction.INSTANTANEOUS) f.add(new Fact(DecodedRecord.FUNCTION, m.function().wireName()));
        }
        f.addAll(extra);
        return new DecodedRecord(f);
    }

    /** Without trailing zeros, never in exponent form when shown (1E+3 → 1000 by the renderer's plain setting). */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
