package io.meterlink.core.uplink;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.payload.WireReading;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadingRecordsTest {

    private final JsonPayloads json = new JsonPayloads("gw-0001");
    private final ReadingRecords records = new ReadingRecords();

    /** Readings over the edges a record must keep: big and negative mantissas, negative scales, nanos, no meter time, RSSI, long ids. */
    static List<Reading> varied(long seed, int n) {
        Random rnd = new Random(seed);
        Quantity[] qs = Quantity.values();
        MeasurementFunction[] fs = MeasurementFunction.values();
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BigDecimal value = switch (i % 5) {
                case 0 -> BigDecimal.valueOf(rnd.nextLong(), rnd.nextInt(12));
                case 1 -> new BigDecimal(new java.math.BigInteger(100 + rnd.nextInt(60), rnd).negate(), rnd.nextInt(20) - 5);
                case 2 -> BigDecimal.valueOf(rnd.nextInt(1000), -3);
                case 3 -> new BigDecimal("0.000");
                default -> BigDecimal.valueOf(Long.MIN_VALUE, 2);
            };
            Instant received = Instant.ofEpochSecond(1_795_000_000L + rnd.nextInt(1_000_000), rnd.nextInt(1_000_000_000));
            Instant meterTime = i % 3 == 0 ? null : Instant.ofEpochSecond(-5_000_000_000L + rnd.nextLong(10_000_000_000L),
                    i % 2 == 0 ? 0 : rnd.nextInt(1_000_000) * 1000);
            String id = i % 7 == 0 ? "meter_" + "x".repeat(25) + "." + i : String.format("%08d", rnd.nextInt(100_000_000));
            Quantity q = qs[rnd.nextInt(qs.length)];
            List<Unit> us = q.units().stream().sorted(java.util.Comparator.comparing(Unit::symbol)).toList();
            out.add(new Reading(MeterId.of("wmbus", "KAM", id), q, us.get(rnd.nextInt(us.size())), value,
                    fs[rnd.nextInt(fs.length)], rnd.nextInt(1 << 20), rnd.nextInt(300), rnd.nextInt(5), meterTime, received,
                    i % 4 == 0 ? Integer.MIN_VALUE : rnd.nextInt(), i % 2 == 0 ? null : -rnd.nextInt(200)));
        }
        return out;
    }

    @Test
    void record_givesBackEveryField_andTheSameJsonV1ObjectByteForByte() {
        List<Reading> rs = varied(16, 2_000);
        for (int i = 0; i < rs.size(); i++) {
            long seq = 1_000_000_000_000L + i;
            byte[] rec = records.encode(seq, rs.get(i));
            assertTrue(ReadingRecords.isRecord(rec));
            WireReading w = ReadingRecords.decode(seq, rec);
            assertEquals(JsonPayloads.wire(seq, rs.get(i)), w);
            byte[] expected = json.encode(seq, rs.get(i));
            assertFalse(ReadingRecords.isRecord(expected), "a JSON object is never taken for a record");
            assertArrayEquals(expected, json.jsonBody(new StoredReading(seq, 0, 0, rec)));
        }
    }

    @Test
    void record_isAFractionOfTheJsonObject() {
        Reading r = JsonPayloadsTest.reading("123456.789", -71, Instant.parse("2026-11-26T08:00:00Z"));
        int rec = records.encode(7, r).length;
        int obj = json.encode(7, r).length;
        assertTrue(rec * 3 < obj, rec + " vs " + obj);
    }

    @Test
    void cutOrPaddedRecord_isRefused_neverMisread() {
        Reading r = JsonPayloadsTest.reading("1200.500", -71, Instant.parse("2026-11-26T08:00:00Z"));
        byte[] rec = records.encode(9, r);
        for (int len = 0; len < rec.length; len++) {
            byte[] cut = Arrays.copyOf(rec, len);
            if (len == 0) {
                assertFalse(ReadingRecords.isRecord(cut));
                continue;
            }
            assertThrows(IllegalArgumentException.class, () -> ReadingRecords.decode(9, cut), "cut at " + len);
        }
        byte[] padded = Arrays.copyOf(rec, rec.length + 1);
        assertThrows(IllegalArgumentException.class, () -> ReadingRecords.decode(9, padded));
        PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                () -> ReadingRecords.read(new StoredReading(9, 0, 0, padded)));
        assertEquals(9, u.seq());
    }

    @Test
    void aRecordJsonCannotWritePlainly_isUnreadable_soTheDrainDeadLettersIt() {
        Reading r = JsonPayloadsTest.reading("1.5", null, null);
        Reading huge = new Reading(r.meter(), r.quantity(), r.unit(), new BigDecimal(java.math.BigInteger.ONE, -20_000),
                r.function(), r.storage(), r.tariff(), r.subunit(), r.meterTime(), r.receivedAt(), r.status(), r.rssiDbm());
        byte[] rec = records.encode(11, huge);
        PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                () -> json.prepare(List.of(new StoredReading(11, 0, 0, rec))));
        assertEquals(11, u.seq());
    }

    @Test
    void gatewayStoresRecordsUnderCompact_jsonObjectsUnderJson() {
        var parts = new io.meterlink.core.runtime.StandardParts();
        assertTrue(parts.encoder("gw-0001", io.meterlink.core.config.UplinkConfig.Payload.COMPACT) instanceof ReadingRecords);
        Reading r = JsonPayloadsTest.reading("1.5", null, null);
        assertArrayEquals(json.encode(3, r), parts.encoder("gw-0001", io.meterlink.core.config.UplinkConfig.Payload.JSON).encode(3, r));
    }
}
