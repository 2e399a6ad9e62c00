package io.meterlink.core.api.driver;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One decoded value of a frame, family-neutral: its facts in the order a family shows them. The
 * well-known names ({@link #QUANTITY}, {@link #UNIT}, {@link #VALUE}, …) have typed accessors; every
 * other fact is a raw field of the family (e.g. {@code dif}/{@code vif}, {@code obis}). Immutable.
 */
public final class DecodedRecord {
    public static final String QUANTITY = "quantity";
    public static final String UNIT = "unit";
    public static final String VALUE = "value";
    public static final String FUNCTION = "function";
    public static final String STORAGE = "storage";
    public static final String TARIFF = "tariff";
    public static final String SUBUNIT = "subunit";
    public static final String METER_TIME = "meter_time";

    private final List<Fact> facts;

    public DecodedRecord(List<Fact> facts) { this.facts = List.copyOf(facts); }

    /** Every fact in order of display. */
    public List<Fact> facts() { return facts; }

    /** Quantity wire name, e.g. {@code energy}, {@code voltage}; for an unknown code the family's own name. */
    public String quantity() { return (String) Fact.find(facts, QUANTITY); }

    /** Unit symbol ({@link io.meterlink.core.api.Unit#symbol()}) or the meter's own unit text; {@code null} when none. */
    public String unit() { return (String) Fact.find(facts, UNIT); }

    /** The exact numeric value, or {@code null} when the value is text (see {@link #text()}) or absent. */
    public BigDecimal value() { return Fact.find(facts, VALUE) instanceof BigDecimal d ? d : null; }

    /** A textual value (date, identifier, text register), or {@code null}. */
    public String text() { return Fact.find(facts, VALUE) instanceof String s ? s : null; }

    public Integer tariff() { return (Integer) Fact.find(facts, TARIFF); }
    public Integer storage() { return (Integer) Fact.find(facts, STORAGE); }
    public Integer subunit() { return (Integer) Fact.find(facts, SUBUNIT); }
    public String function() { return (String) Fact.find(facts, FUNCTION); }
    public String meterTime() { return (String) Fact.find(facts, METER_TIME); }

    /** The value of any fact by name (a family's raw field such as {@code obis}), or {@code null}. */
    public Object fact(String name) { return Fact.find(facts, name); }

    @Override public String toString() { return facts.toString(); }

    /** Builds facts in display order; {@code null} values are left out. Not thread-safe. */
    public static final class Builder {
        private final List<Fact> facts = new ArrayList<>();

        public Builder put(String name, Object value) {
            if (value != null) facts.add(new Fact(name, value));
            return this;
        }

        public DecodedRecord build() { return new DecodedRecord(facts); }
    }
}
