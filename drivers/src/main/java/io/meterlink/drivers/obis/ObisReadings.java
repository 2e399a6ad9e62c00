package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a decoded SML file, P1 telegram or optical readout into {@link Reading}s: one per record
 * with a canonical quantity and unit. The meter is the record's own {@code meter} fact (a P1 M-Bus
 * channel) or else the frame's. Electricity records (OBIS A = 1) carry the OBIS C group (what was
 * measured and on which phase, e.g. 1 = +A, 2 = −A, 32 = U L1) as their sub-unit, so that import and
 * export of one tariff, or the three phases, never share a measurement key; other records have
 * sub-unit 0. Records without a quantity (identifiers, texts, unknown codes) give no reading; they
 * stay visible in {@code meterlink decode}. Meter times without an offset are read in the meter's
 * zone. Pure and thread-safe.
 */
public final class ObisReadings {
    private final ZoneId meterZone;

    public ObisReadings(ZoneId meterZone) { this.meterZone = meterZone; }

    /** Readings of one frame, grouped by meter in the order first met; empty when the frame names no meter. */
    public List<Reading> toReadings(DecodedFrame frame, Instant receivedAt) {
        Object frameMeter = frame.headerFact("meter");
        List<Reading> out = new ArrayList<>();
        if (frame.records() == null) return out;
        for (DecodedRecord r : frame.records()) {
            BigDecimal value = r.value();
            String q = r.quantity();
            if (value == null || q == null) continue;
            Object m = r.fact("meter");
            if (m == null) m = frameMeter;
            if (m == null) continue;
            MeterId meter = MeterId.of(m.toString());
            Quantity quantity = Quantity.ofWireName(q);
            Unit unit = r.unit() == null ? Unit.NONE : Unit.ofSymbol(r.unit());
            MeasurementFunction function = r.function() == null ? MeasurementFunction.INSTANTANEOUS : MeasurementFunction.ofWireName(r.function());
            int tariff = r.tariff() == null ? 0 : r.tariff();
            out.add(new Reading(meter, quantity, unit, value.stripTrailingZeros(), function, 0, tariff, subunit(r), instant(r.meterTime()), receivedAt, 0, null));
        }
        return out;
    }

    /**
     * The frame's records that give no reading, counted by kind: {@code identifier} (a text value of an
     * identification code: 0.0.x, 96.1.x, 42.0.0, 1-0:0.0.x), {@code text} (any other text or empty
     * value), {@code unknown_code} (a number whose code or unit has no canonical quantity here).
     */
    public static Map<String, Integer> withoutReading(DecodedFrame frame) {
        Map<String, Integer> out = new TreeMap<>();
        if (frame.records() == null) return out;
        for (DecodedRecord r : frame.records()) {
            if (r.value() != null && r.quantity() != null) continue;
            String kind;
            if (r.value() != null) {
                kind = "unknown_code";
            } else {
                Object code = r.fact("obis");
                Obis o = code == null ? null : Obis.parse(code.toString());
                boolean id = o != null && (o.c() == 0 && o.d() == 0 || o.c() == 96 && o.d() == 1 || o.c() == 42 && o.d() == 0);
                kind = id ? "identifier" : "text";
            }
            out.merge(kind, 1, Integer::sum);
        }
        return out;
    }

    private static int subunit(DecodedRecord r) {
        Object code = r.fact("obis");
        if (code == null) return 0;
        Obis o = Obis.parse(code.toString());
        return o != null && (o.a() == 1 || o.a() == 255 && o.c() >= 1 && o.c() <= 91) ? o.c() : 0; // short EDIS codes as ObisMeaning reads them
    }

    /** An ISO-8601 time with offset as is, a local one in the meter's zone; {@code null} when absent or unreadable. */
    Instant instant(String text) {
        if (text == null) return null;
        try {
            if (text.endsWith("Z")) return Instant.parse(text);
            if (text.length() > 19) return OffsetDateTime.parse(text).toInstant();
            return LocalDateTime.parse(text).atZone(meterZone).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }
}
