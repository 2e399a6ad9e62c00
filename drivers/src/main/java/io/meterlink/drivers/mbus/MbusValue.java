package io.meterlink.drivers.mbus;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HexFormat;

/** The decoded value of one data record. Immutable. */
public sealed interface MbusValue {

    /** A number already multiplied by the VIF factor (exact). */
    record Numeric(BigDecimal value) implements MbusValue {}

    /** Type G date (EN 13757-3 Annex A); {@code date} is {@code null} when the meter sent an invalid one. */
    record Date(LocalDate date, String text) implements MbusValue {}

    /**
     * Type F or I date and time in the meter's local time (EN 13757-3 Annex A); {@code dateTime} is
     * {@code null} when the meter marks it invalid or sends an impossible one.
     */
    record DateTime(LocalDateTime dateTime, boolean summerTime, String text) implements MbusValue {}

    /** Type J time of day (EN 13757-3:2013 Annex A); {@code time} is {@code null} when invalid. */
    record Time(LocalTime time, String text) implements MbusValue {}

    /** Text: variable-length LVAR 00–BF in reading order, or identifier digits as sent (BCD). */
    record Text(String text) implements MbusValue {}

    /** Bytes left undecoded (unsupported coding, invalid BCD, manufacturer data), LSB first as the field was read. */
    record Raw(byte[] bytes) implements MbusValue {
        public Raw { bytes = bytes.clone(); }

        @Override public byte[] bytes() { return bytes.clone(); }

        /** Upper-case hex, no separators. */
        public String hex() { return HexFormat.of().withUpperCase().formatHex(bytes); }

        @Override public String toString() { return "Raw[" + hex() + "]"; }

        @Override public boolean equals(Object o) { return o instanceof Raw r && java.util.Arrays.equals(r.bytes, bytes); }

        @Override public int hashCode() { return java.util.Arrays.hashCode(bytes); }
    }
}
