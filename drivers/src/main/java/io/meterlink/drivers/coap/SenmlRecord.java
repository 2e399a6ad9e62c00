package io.meterlink.drivers.coap;

import java.math.BigDecimal;

/**
 * One resolved SenML record (RFC 8428 §4.6): base values already applied. Immutable.
 *
 * @param name  base name + name (§4.5.1)
 * @param unit  the record's unit or the base unit, {@code null} when neither is given
 * @param value base value + value, or base sum + sum when {@link #sum}; {@code null} for a string, boolean or data value
 * @param sum   the value is an accumulator ({@code s}, §4.2): a cumulative register
 * @param text  a string ({@code vs}), boolean ({@code vb}) or data ({@code vd}) value as text, else {@code null}
 * @param time  base time + time in seconds (§4.5.3): absolute (UNIX time) when at least {@link #ABSOLUTE}, else relative to now
 */
record SenmlRecord(String name, String unit, BigDecimal value, boolean sum, String text, BigDecimal time) {
    /** Times below 2^28 s are relative to the present (RFC 8428 §4.5.3). */
    static final BigDecimal ABSOLUTE = BigDecimal.valueOf(1L << 28);

    boolean absoluteTime() { return time.compareTo(ABSOLUTE) >= 0; }
}
