package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One OBIS value as a family-neutral record, the same shape for SML, P1 and IEC 62056-21:
 * {@code obis, quantity, unit, value, tariff, meter_time} then {@code direction, phase, function,
 * channel} where they apply. A code without a canonical meaning is kept with its code, unit and
 * value (no quantity); a unit that does not fit the code's quantity drops the quantity, never the value.
 */
public final class ObisRecords {
    private ObisRecords() {}

    /** True when a value of {@code code} in {@code unit} has a canonical quantity (so a unit-less value is still a number). */
    public static boolean hasQuantity(Obis code, MeterUnit unit) {
        return template(code, unit).meaning.quantity() != null;
    }

    /**
     * @param value     the meter's value before unit conversion (exact), or {@code null} for a text value
     * @param text      a text value (identifier, timestamp text) when {@code value} is null
     * @param unit      the meter's unit, or {@code null}
     * @param meterTime ISO-8601 time of the value, or {@code null}
     */
    public static DecodedRecord record(Obis code, BigDecimal value, String text, MeterUnit unit, String meterTime) {
        return record(code, value, text, unit, meterTime, List.of());
    }

    /** As {@link #record(Obis, BigDecimal, String, MeterUnit, String)}, with {@code extra} facts at the end (a P1 channel and its meter). */
    public static DecodedRecord record(Obis code, BigDecimal value, String text, MeterUnit unit, String meterTime, List<Fact> extra) {
        return recordShown(code, value == null ? null : shown(value, unit), text, unit, meterTime, extra);
    }

    /** As {@link #record(Obis, BigDecimal, String, MeterUnit, String, List)} with the value already as {@link #shown} makes it. */
    public static DecodedRecord recordShown(Obis code, BigDecimal value, String text, MeterUnit unit, String meterTime, List<Fact> extra) {
        Template t = template(code, unit);
        boolean fits = value != null && t.fits;
        Fact shown = value != null ? new Fact(DecodedRecord.VALUE, value)
                : text != null ? new Fact(DecodedRecord.VALUE, text) : null;
        Fact[] f = new Fact[1 + (fits ? 2 + t.measured.length : 0) + (t.unit != null ? 1 : 0) + (shown != null ? 1 : 0)
                + (meterTime != null ? 1 : 0) + extra.size()];
        int n = 0;
        f[n++] = t.obis;
        if (fits) f[n++] = t.quantity;
        if (t.unit != null) f[n++] = t.unit;
        if (shown != null) f[n++] = shown;
        if (fits) f[n++] = t.tariff;
        if (meterTime != null) {
            Fact time = lastTime; // most records of a telegram carry its one time
            if (time == null || time.value() != meterTime) lastTime = time = new Fact(DecodedRecord.METER_TIME, meterTime);
            f[n++] = time;
        }
        if (fits) {
            for (Fact m : t.measured) f[n++] = m;
        }
        for (Fact x : extra) f[n++] = x;
        return new DecodedRecord(List.of(f)); // immutable already: the record keeps it without copying
    }

    /**
     * What every record of one code in one unit shows besides its value and time: the code's text, and
     * when a number of it has a canonical quantity in that unit, the quantity, tariff, direction, phase
     * and function. Built once per code and unit (a meter sends the same few dozen in every telegram).
     */
    private static final class Template {
        final MeterUnit meterUnit;
        final ObisMeaning meaning;
        final boolean fits;
        final Fact obis, quantity, unit, tariff;
        /** direction, phase, function where they apply, in that order. */
        final Fact[] measured;

        Template(Obis code, MeterUnit u) {
            meterUnit = u;
            meaning = ObisMeaning.of(code, u);
            fits = meaning.quantity() != null
                    && (u != null && u.canonical() != null && meaning.quantity().units().contains(u.canonical())
                        || u == null && meaning.quantity().units().contains(Unit.NONE));
            obis = new Fact("obis", code.toString());
            quantity = meaning.quantity() == null ? null : new Fact(DecodedRecord.QUANTITY, meaning.quantity().wireName());
            unit = u == null ? null : new Fact(DecodedRecord.UNIT, u.symbol());
            tariff = new Fact(DecodedRecord.TARIFF, meaning.tariff());
            List<Fact> m = new ArrayList<>(3);
            if (meaning.direction() != null) m.add(new Fact("direction", meaning.direction()));
            if (meaning.phase() != null) m.add(new Fact("phase", meaning.phase()));
            if (meaning.function() != MeasurementFunction.INSTANTANEOUS) m.add(new Fact(DecodedRecord.FUNCTION, meaning.function().wireName()));
            measured = m.toArray(new Fact[0]);
        }
    }

    /** The last meter time fact made (immutable, so shared between threads). */
    private static Fact lastTime;

    private static final int TEMPLATES_MAX = 4096;
    /** Longest unit text whose template is kept. */
    static final int UNIT_MAX = 16;
    /** The templates of a code, one per unit it came in (almost always one). */
    private static final Map<Obis, Template[]> TEMPLATES = new ConcurrentHashMap<>();

    private static Template template(Obis code, MeterUnit unit) {
        Template[] known = TEMPLATES.get(code);
        if (known != null) {
            for (Template t : known) {
                if (t.meterUnit == unit || t.meterUnit != null && t.meterUnit.equals(unit)) return t;
            }
        }
        Template t = new Template(code, unit);
        if (unit != null && unit.symbol() != null && unit.symbol().length() > UNIT_MAX) return t; // a long unit text is made per call, never kept
        Template[] more = known == null ? new Template[] {t} : java.util.Arrays.copyOf(known, known.length + 1);
        more[more.length - 1] = t;
        if (TEMPLATES.size() >= TEMPLATES_MAX || more.length > 8) TEMPLATES.clear(); // a flood of distinct codes or units only costs the cache
        TEMPLATES.put(code, more);
        return t;
    }

    /** A meter's value as a record shows it: in {@code unit} (if any), then {@link #plain}. */
    public static BigDecimal shown(BigDecimal value, MeterUnit unit) {
        return plain(unit == null ? value : unit.apply(value));
    }

    /**
     * {@code shown(BigDecimal.valueOf(unscaled, scale), unit)} made as one {@code BigDecimal} instead of
     * three when the unit's factor is 1 or 1000 (every P1 value): the shown form depends only on the
     * number (no trailing zeros, scale never below 0), so shifting the scale gives the same one.
     */
    public static BigDecimal shown(long unscaled, int scale, MeterUnit unit) {
        int s = scale;
        if (unit != null) {
            int p = unit.powerOfTen();
            if (p == MeterUnit.NOT_A_POWER_OF_TEN) return shown(BigDecimal.valueOf(unscaled, scale), unit);
            s -= p;
        }
        if (unscaled == 0) return BigDecimal.ZERO;
        while (s > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            s--;
        }
        for (; s < 0; s++) {
            if (unscaled > Long.MAX_VALUE / 10 || unscaled < Long.MIN_VALUE / 10) return shown(BigDecimal.valueOf(unscaled, s), null); // would overflow
            unscaled *= 10;
        }
        return BigDecimal.valueOf(unscaled, s);
    }

    /** Without trailing zeros, never in exponent form when shown (1E+3 → 1000 by the renderer's plain setting). */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
