package io.meterlink.drivers.mbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;

/**
 * What a value information field means: a scaled quantity in a canonical unit, or one of the
 * non-numeric kinds (dates, identification). Immutable.
 *
 * @param kind        what sort of record it is
 * @param quantity    the quantity for {@link Kind#NUMERIC}, else {@code null}
 * @param unit        the canonical unit for {@link Kind#NUMERIC}, else {@code null}
 * @param factor      raw value × factor = value in {@code unit} (exact)
 * @param description short text for decode output, e.g. {@code energy 10^-3 Wh}
 */
public record VifMeaning(Kind kind, Quantity quantity, Unit unit, BigDecimal factor, String description) {
    /** Kinds of records. */
    public enum Kind {
        NUMERIC, DATE, DATE_TIME, FABRICATION_NUMBER, ENHANCED_ID, BUS_ADDRESS, UNITS_HCA,
        /** Known to the standard but not decoded here (kept raw, no reading). */
        UNSUPPORTED
    }

    static VifMeaning numeric(Quantity q, Unit u, BigDecimal factor, String description) {
        return new VifMeaning(Kind.NUMERIC, q, u, factor, description);
    }

    static VifMeaning of(Kind kind, String description) {
        return new VifMeaning(kind, null, null, BigDecimal.ONE, description);
    }

    /** The same meaning with its factor multiplied (combinable VIFE correction factors). */
    VifMeaning times(BigDecimal f, String what) {
        return new VifMeaning(kind, quantity, unit, factor.multiply(f), description + " " + what);
    }
}
