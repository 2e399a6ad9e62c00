package io.meterlink.payload;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The measurement key against the literal documented in docs/payloads.md, not against itself. */
class MeasurementKeyTest {

    @Test
    void key_withMeterTime_isTheDocumentedLiteral() {
        WireReading r = new WireReading(1041, "wmbus:KAM:12345678", "volume", "m3", new BigDecimal("1234.567"), "instantaneous",
                0, 0, 0, Instant.parse("2026-11-26T08:00:00Z"), Instant.parse("2026-11-26T08:00:03.412Z"), 0, -71);
        assertEquals("wmbus:KAM:12345678|volume|0|0|0|instantaneous|2026-11-26T08:00:00Z", r.measurementKey());
    }

    @Test
    void key_withoutMeterTime_usesTheReceiveTime() {
        WireReading r = new WireReading(7, "mbus:LUG:00042017", "energy", "Wh", new BigDecimal("5230000"), "maximum",
                1, 2, 3, null, Instant.parse("2026-11-26T08:00:05.020Z"), 0, null);
        assertEquals("mbus:LUG:00042017|energy|1|2|3|maximum|2026-11-26T08:00:05.020Z", r.measurementKey());
    }
}
