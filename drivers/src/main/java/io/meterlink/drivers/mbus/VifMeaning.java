package io.meterlink.drivers.mbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;

/**
 * What a value information block means (EN 13757-3 §6.4): a scaled number (with a Reading
 * quantity in a canonical unit, or a plain counter/parameter), a date or time, an identifier, flags,
 * or something kept raw. Immutable.
 *
 * @param kind        what sort of record it is
 * @param quantity    the Reading quantity for {@link Kind#NUMERIC} records that become readings, else {@code null}
 * @param unit        canonical unit of the scaled value, {@code null} when it has none
 * @param factor      raw value × factor = value in {@code unit} (exact)
 * @param name        lower-case name for decode output, e.g. {@code volume}, {@code date_time}, {@code customer}
 * @param description short human text, e.g. {@code energy 10^-3 Wh}
 */
public record VifMeaning(Kind kind, Quantity quantity, Unit unit, BigDecimal factor, String name, String description) {
    /** Kinds of records. */
    public enum Kind {
        /** A number; a reading when {@link #quantity()} is set. */
        NUMERIC,
        /** Type G date (or type F with VIF 6C and 4 bytes). */
        DATE,
        /** Type F or I date and time (type J time only with 3 bytes). */
        DATE_TIME,
        /**
         * The date or date-time of an event, named by the VIF (FD 30 start of tariff, FD 70 battery change)
         * or by a combinable VIFE (start of, limit exceed, first/last): decoded like {@link #DATE_TIME} by
         * its length, never taken as the meter's clock.
         */
        EVENT_TIME,
        /** Type K daylight saving (FD 72). */
        DAYLIGHT_SAVING,
        /** Identification, versions, customer, addresses: shown as sent (digits or text). */
        IDENTIFIER,
        /** Bit fields such as error flags and digital inputs/outputs. */
        FLAGS,
        /** Manufacturer-specific VIF 7F/FF: data kept raw. */
        MANUFACTURER,
        /** Plain-text VIF 7C/FC: the unit is the text the meter sends. */
        PLAIN_TEXT,
        /** Reserved or not decodable: kept raw, no reading. */
        UNSUPPORTED
    }

    /** A reading quantity in a canonical unit. */
    static VifMeaning numeric(Quantity q, Unit u, BigDecimal factor, String description) {
        return new VifMeaning(Kind.NUMERIC, q, u, factor, q.wireName(), description);
    }

    /** A number that is not a reading quantity (a counter, a parameter); {@code unit} may be {@code null}. */
    static VifMeaning number(String name, Unit u, BigDecimal factor, String description) {
        return new VifMeaning(Kind.NUMERIC, null, u, factor, name, description);
    }

    static VifMeaning of(Kind kind, String name, String description) {
        return new VifMeaning(kind, null, null, BigDecimal.ONE, name, description);
    }

    static VifMeaning unsupported(String description) {
        return of(Kind.UNSUPPORTED, "unsupported", description);
    }

    /**
     * What the value of a record becomes under a combinable VIFE that changes its type (EN 13757-3
     * Table 15): a date/time of a limit exceed or start, or a count of exceeds. The name stays the VIF's (the modifier says what it is of); no Reading quantity.
     */
    VifMeaning asDateTime(String what) {
        return new VifMeaning(Kind.EVENT_TIME, null, null, BigDecimal.ONE, name, description + " " + what);
    }

    /** See {@link #asDateTime(String)}: a plain count. */
    VifMeaning asCount(String what) {
        return new VifMeaning(Kind.NUMERIC, null, null, BigDecimal.ONE, name, description + " " + what);
    }

    /** The same meaning with its factor multiplied (combinable VIFE correction factors). */
    VifMeaning times(BigDecimal f, String what) {
        return new VifMeaning(kind, quantity, unit, factor.multiply(f), name, description + " " + what);
    }
}
