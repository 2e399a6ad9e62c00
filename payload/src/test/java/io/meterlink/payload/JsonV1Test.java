package io.meterlink.payload;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JsonV1Test {

    /** The fast path of the time reader agrees with Instant.toString/parse over years 0000–9999 at every precision. */
    @Property(tries = 2000, seed = "20261206")
    void isoUtc_readsWhatInstantToStringWrites(@ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long seconds,
                                               @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
                                               @ForAll @IntRange(min = 0, max = 3) int precision) {
        int nano = switch (precision) {
            case 0 -> 0;
            case 1 -> nanos / 1_000_000 * 1_000_000;
            case 2 -> nanos / 1_000 * 1_000;
            default -> nanos;
        };
        Instant i = Instant.ofEpochSecond(seconds, nano);
        assertEquals(i, JsonV1.isoUtc(i.toString()), i.toString());
    }

    @Test
    void isoUtc_leavesOtherShapesAndInvalidDatesToTheGeneralParser() {
        assertNull(JsonV1.isoUtc("2026-02-30T00:00:00Z"));
        assertNull(JsonV1.isoUtc("2026-11-26T24:00:00Z"));
        assertNull(JsonV1.isoUtc("2026-11-26T08:00:00+01:00"));
        assertNull(JsonV1.isoUtc("+12026-11-26T08:00:00Z"));
        assertNull(JsonV1.isoUtc("2026-11-26T08:00:00.Z"));
        assertEquals(Instant.parse("2026-11-26T08:00:00.5Z"), JsonV1.isoUtc("2026-11-26T08:00:00.5Z"));
    }

    @Test
    void aValueWhoseExponentNoDecimalHolds_isATypedSyntaxRefusal_inAReadingAndInABatch() {
        String reading = "{\"seq\":5,\"meter\":\"m\",\"quantity\":\"volume\",\"unit\":\"m3\",\"value\":%s,\"function\":\"instantaneous\","
                + "\"storage\":0,\"tariff\":0,\"subunit\":0,\"meter_time\":null,\"received\":\"2026-12-07T05:00:00Z\",\"status\":0}";
        for (String value : new String[]{"1e2147483648", "1e-2147483648", "-7.5E+4294967296"}) {
            byte[] one = reading.formatted(value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            PayloadException e = org.junit.jupiter.api.Assertions.assertThrows(PayloadException.class, () -> JsonV1.parseReading(one, false), value);
            org.junit.jupiter.api.Assertions.assertEquals(PayloadException.Kind.SYNTAX, e.kind());
            byte[] batch = ("{\"v\":1,\"type\":\"readings\",\"gw\":\"g\",\"sent\":\"2026-12-07T05:00:01Z\",\"readings\":["
                    + reading.formatted(value) + "]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assertions.assertThrows(PayloadException.class, () -> JsonV1.parseBatch(batch), value);
        }
        byte[] fine = reading.formatted("1e3").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            org.junit.jupiter.api.Assertions.assertEquals(new java.math.BigDecimal("1e3"), JsonV1.parseReading(fine, false).reading().value());
        } catch (PayloadException e) {
            throw new AssertionError(e);
        }
    }
}
