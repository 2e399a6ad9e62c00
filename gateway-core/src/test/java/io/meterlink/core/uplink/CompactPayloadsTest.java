package io.meterlink.core.uplink;

import io.meterlink.core.buffer.StoredReading;
import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.Payloads;
import io.meterlink.payload.ReadingsBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactPayloadsTest {

    private static final Instant SENT = Instant.parse("2026-11-26T09:00:00.125Z");
    private final JsonPayloads json = new JsonPayloads("gw-0001");
    private final CompactPayloads compact = new CompactPayloads(json);

    private List<StoredReading> stored(int n) {
        List<StoredReading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new StoredReading(100 + i, 0, 0, json.encode(100 + i,
                    JsonPayloadsTest.reading(i + ".25", i % 2 == 0 ? -70 - i % 100 : null, i % 3 == 0 ? null : Instant.parse("2026-11-26T08:00:00Z")))));
        }
        return out;
    }

    @Test
    void compactBatch_decodesToTheJsonBatchOfTheSameStoredReadings() throws Exception {
        List<StoredReading> rs = stored(50);
        PayloadFormat.Encoded e = compact.encode(rs, SENT);
        assertEquals(CompactV1.CONTENT_TYPE, e.contentType());
        assertTrue(CompactV1.isCompact(e.bytes()));
        byte[] jsonBatch = json.batch(rs, SENT);
        assertArrayEquals(jsonBatch, Payloads.toJson(e.bytes()));
        assertTrue(e.bytes().length * 5 < jsonBatch.length, e.bytes().length + " vs " + jsonBatch.length);
        ReadingsBatch b = CompactV1.decode(e.bytes());
        assertEquals(100, b.readings().get(0).seq());
        assertEquals(149, b.readings().get(49).seq());
    }

    @Test
    void storedBodyThatCannotBeReadBack_sendsTheBatchAsJsonV1() throws Exception {
        List<StoredReading> rs = new ArrayList<>(stored(3));
        rs.set(1, new StoredReading(101, 0, 0, "{\"seq\":101}".getBytes(StandardCharsets.UTF_8)));
        PayloadFormat.Encoded e = compact.encode(rs, SENT);
        assertEquals(JsonV1.CONTENT_TYPE, e.contentType());
        assertArrayEquals(json.batch(rs, SENT), e.bytes());
        assertEquals(1, compact.jsonFallbacks());
    }

    @Test
    void compactBatch_isNeverLargerThanTheJsonBoundTheDrainCutsBy() {
        for (int n : new int[]{1, 2, 10, 500}) {
            List<StoredReading> rs = stored(n);
            long bodies = rs.stream().mapToLong(r -> r.body().length).sum();
            assertTrue(compact.encode(rs, SENT).bytes().length <= bodies + compact.batchOverhead(n));
        }
    }

    /** The same readings stored as records, as the gateway stores them under {@code payload: compact}. */
    private static List<StoredReading> asRecords(List<StoredReading> jsonStored, List<io.meterlink.core.api.Reading> readings) {
        ReadingRecords records = new ReadingRecords();
        List<StoredReading> out = new ArrayList<>();
        for (int i = 0; i < readings.size(); i++) {
            StoredReading j = jsonStored.get(i);
            out.add(new StoredReading(j.seq(), 0, 0, records.encode(j.seq(), readings.get(i))));
        }
        return out;
    }

    @Test
    void recordsJsonObjectsAndAMixOfBoth_giveTheSameMessagesByteForByte_inBothFormats() throws Exception {
        List<io.meterlink.core.api.Reading> readings = ReadingRecordsTest.varied(7, 300);
        List<StoredReading> asJson = new ArrayList<>();
        for (int i = 0; i < readings.size(); i++) asJson.add(new StoredReading(500 + i, 0, 0, json.encode(500 + i, readings.get(i))));
        List<StoredReading> asRecords = asRecords(asJson, readings);
        List<StoredReading> mixed = new ArrayList<>(asJson.subList(0, 150)); // stored before an upgrade, then records
        mixed.addAll(asRecords.subList(150, 300));

        // (a record keeps a negative scale that the plain JSON number drops, so the compact bytes may differ; the JSON never does)
        byte[] jsonBatch = json.batch(asJson, SENT);
        assertArrayEquals(jsonBatch, Payloads.toJson(compact.encode(asJson, SENT).bytes()));
        assertArrayEquals(jsonBatch, Payloads.toJson(compact.encode(mixed, SENT).bytes()));
        assertArrayEquals(jsonBatch, json.batch(asRecords, SENT));
        assertArrayEquals(jsonBatch, json.batch(json.prepare(mixed, Integer.MAX_VALUE), SENT));
        assertArrayEquals(jsonBatch, Payloads.toJson(compact.encode(asRecords, SENT).bytes()));
        assertEquals(0, compact.jsonFallbacks());
    }

    @Test
    void compactBatchOfRecords_staysWithinTheBoundTheDrainCutsBy() {
        List<io.meterlink.core.api.Reading> readings = ReadingRecordsTest.varied(11, 500); // distinct meters and registers: no dictionary gain
        List<StoredReading> asJson = new ArrayList<>();
        for (int i = 0; i < readings.size(); i++) asJson.add(new StoredReading(1 + i * 1_000_003L, 0, 0, json.encode(1 + i * 1_000_003L, readings.get(i))));
        List<StoredReading> recs = asRecords(asJson, readings);
        for (int n : new int[]{1, 2, 10, 500}) {
            List<StoredReading> rs = recs.subList(0, n);
            long bodies = rs.stream().mapToLong(r -> r.body().length).sum();
            assertTrue(compact.encode(rs, SENT).bytes().length <= bodies + compact.batchOverhead(n), "n=" + n);
        }
    }

    @Test
    void aStoredJsonValueThatIsShortOnlyInExponentForm_isUnreadable_notSentCompact() {
        List<StoredReading> rs = new ArrayList<>(stored(3));
        String body = new String(rs.get(1).body(), StandardCharsets.UTF_8).replaceFirst("\"value\":[^,]*,", "\"value\":1e999999999,");
        rs.set(1, new StoredReading(101, 0, 0, body.getBytes(StandardCharsets.UTF_8)));
        PayloadFormat.UnreadableReading u = org.junit.jupiter.api.Assertions.assertThrows(PayloadFormat.UnreadableReading.class,
                () -> compact.encode(rs, SENT));
        assertEquals(101, u.seq());
    }
}
