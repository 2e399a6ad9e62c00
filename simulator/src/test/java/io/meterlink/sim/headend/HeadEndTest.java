package io.meterlink.sim.headend;

import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.ReadingsBatch;
import io.meterlink.payload.WireReading;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The head-end reads both formats and keys each arrival by the fields it carries, not by the gateway's "key". */
class HeadEndTest {
    private static final Instant T = Instant.parse("2026-11-26T08:00:00Z");
    private final HeadEnd h = new HeadEnd(Clock.fixed(T.plusSeconds(5), ZoneOffset.UTC));

    private static ReadingsBatch batch(long... seqs) {
        List<WireReading> rs = new java.util.ArrayList<>();
        for (long s : seqs) {
            rs.add(new WireReading(s, "wmbus:KAM:1234567" + s, "volume", "m3", new BigDecimal("12.340"), "instantaneous",
                    0, 0, 0, T, T.plusMillis(412), 0, -70));
        }
        return new ReadingsBatch("gw-1", T.plusSeconds(1), rs);
    }

    @Test
    void compactAndJson_arriveAlike_andRepeatsCountAsDuplicatesBySeq() {
        h.onMessage(CompactV1.encode(batch(1, 2), CompactV1.Compression.DEFLATE));
        h.onMessage(JsonV1.batch(batch(3)));
        h.onMessage(CompactV1.encode(batch(2, 3), CompactV1.Compression.NONE));
        assertEquals(3, h.delivered());
        assertEquals(2, h.duplicatesBySeq());
        assertEquals(0, h.malformed());
        HeadEnd.Arrival first = h.arrivals().get(0);
        assertEquals(new GatewaySeq("gw-1", 1), first.gwSeq());
        // the documented key literal plus the value as Verdict normalises it
        assertEquals("wmbus:KAM:12345671|volume|0|0|0|instantaneous|2026-11-26T08:00:00Z|12.34", first.key());
        assertEquals(T.plusMillis(412), first.received());
        assertTrue(h.wireSummary().startsWith("wire: 3 messages, "), h.wireSummary());
        assertTrue(h.wireSummary().contains(" 5 readings carried"), h.wireSummary());
    }

    @Test
    void jsonReadingWhoseKeyDisagreesWithItsFields_isMalformed_notDelivered() {
        String json = new String(JsonV1.batch(batch(1)), StandardCharsets.UTF_8).replace("|2026-11-26T08:00:00Z\"", "|2026-11-26T09:00:00Z\"");
        h.onMessage(json.getBytes(StandardCharsets.UTF_8));
        h.onMessage(new byte[]{0x12, 0x00});
        assertEquals(2, h.malformed());
        assertEquals(0, h.delivered());
    }
}
