package io.meterlink.core.uplink;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.WireReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code uplink.batch_max_bytes} holds for every published message, whatever the stored rows: batches
 * are cut by an estimate, then encoded again with half the readings while the message is too large; a
 * reading that alone is too large is dead-lettered as {@code too_big}. Rows are crafted in a real
 * buffer file (the buffer stores what the encoder gives it, under a valid checksum).
 */
class BatchBoundTest {

    private static final int LIMIT = 4096;

    @TempDir
    Path dir;

    private final JsonPayloads json = new JsonPayloads("gw-bound");
    /** The body stored for each seq, as the buffer's encoder gave it. */
    private final Map<Long, byte[]> stored = new java.util.concurrent.ConcurrentHashMap<>();

    /** A buffer whose rows are the readings' records, except the {@code crafted} bodies by seq. */
    private SqliteBuffer buffer(Map<Long, byte[]> crafted) {
        ReadingRecords records = new ReadingRecords();
        ReadingEncoder encoder = (seq, r) -> {
            byte[] body = crafted.containsKey(seq) ? crafted.get(seq) : records.encode(seq, r);
            stored.put(seq, body);
            return body;
        };
        return SqliteBuffer.open(BufferConfig.defaults(dir.resolve("buffer.db")), encoder, Clock.systemUTC());
    }

    /**
     * The batch was cut by its encoded size, not by the drain's estimate (stored sizes plus the format's
     * bound): the estimate would have let at least twice its readings into one message, so it was halved.
     */
    private void assertHalved(Drain.Batch x, PayloadFormat format) {
        int twice = 2 * x.seqs().length;
        long bytes = format.batchOverhead(twice);
        for (long seq = x.seqs()[0]; seq < x.seqs()[0] + twice; seq++) bytes += stored.get(seq).length;
        assertTrue(bytes <= LIMIT, "a batch of " + x.seqs().length + " from seq " + x.seqs()[0] + " as the estimate cut it: "
                + twice + " readings would be " + bytes + " bytes by the estimate");
    }

    /** Drains the whole buffer, each batch acknowledged at once; the published batches. */
    private static List<Drain.Batch> drainAll(Drain d, SqliteBuffer b) {
        d.reset(4);
        List<Drain.Batch> out = new ArrayList<>();
        for (int guard = 0; guard < 100_000; guard++) {
            Drain.Batch x = d.next();
            if (x == null) break;
            out.add(x);
            d.complete(x.tag());
            b.confirm(x.seqs());
        }
        b.flush().join();
        return out;
    }

    /** Each seq 1..n published once or dead-lettered (reason by seq, from the buffer file), never both, never neither. */
    private Map<Long, String> assertEachReadingOnce(List<Drain.Batch> sent, int n, SqliteBuffer b) throws Exception {
        Map<Long, String> deadLetters = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("buffer.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, reason FROM dead_letter")) {
            while (rs.next()) deadLetters.put(rs.getLong(1), rs.getString(2));
        }
        Map<Long, Integer> times = new HashMap<>();
        for (Drain.Batch x : sent) for (long seq : x.seqs()) times.merge(seq, 1, Integer::sum);
        for (long seq = 1; seq <= n; seq++) {
            int published = times.getOrDefault(seq, 0);
            assertEquals(1, published + (deadLetters.containsKey(seq) ? 1 : 0), "seq " + seq + ": published " + published
                    + " times, dead-lettered " + deadLetters.get(seq));
        }
        assertEquals(0, b.stats().depth(), "nothing left behind");
        return deadLetters;
    }

    private static void assertWithinLimit(List<Drain.Batch> sent) {
        for (Drain.Batch x : sent) {
            assertTrue(x.payload().length <= LIMIT, "a message of " + x.payload().length + " bytes, batch_max_bytes " + LIMIT);
        }
    }

    @Test
    void aCompactBatchSentAsJsonV1_isHalvedUntilItFits_everyReadingDelivered() throws Exception {
        List<Reading> readings = ReadingRecordsTest.varied(31, 300);
        byte[] foreign = "{\"seq\":40,\"note\":\"written by another tool\"}".getBytes(StandardCharsets.UTF_8);
        Map<Long, byte[]> crafted = Map.of(40L, foreign, 170L, foreign); // stored JSON that does not read back as a reading
        try (SqliteBuffer b = buffer(crafted)) {
            b.append(readings).join();
            CompactPayloads compact = new CompactPayloads(json);
            Drain d = new Drain(b, compact, 1_000, LIMIT, Clock.systemUTC());
            List<Drain.Batch> sent = drainAll(d, b);

            List<Drain.Batch> asJson = sent.stream().filter(x -> x.contentType().equals(JsonV1.CONTENT_TYPE)).toList();
            assertEquals(2, asJson.size(), "the two batches holding a foreign body went out as JSON v1");
            asJson.forEach(x -> assertHalved(x, compact));
            assertWithinLimit(sent);
            assertTrue(assertEachReadingOnce(sent, 300, b).isEmpty(), "every reading delivered, none dead-lettered");
            assertTrue(asJson.stream().anyMatch(x -> java.util.Arrays.stream(x.seqs()).anyMatch(s -> s == 40)));
            assertTrue(asJson.stream().anyMatch(x -> java.util.Arrays.stream(x.seqs()).anyMatch(s -> s == 170)));
            assertTrue(sent.stream().filter(x -> x.contentType().equals(CompactV1.CONTENT_TYPE)).count() > 2);
        }
    }

    /**
     * The JSON format measuring stored records as they are (not rendered) and with no envelope bound:
     * an estimate that does not hold, as crafted rows beyond the compact format's 32 bytes per reading
     * would make it. The drain checks the encoded message rather than trust the estimate.
     */
    private static PayloadFormat underestimating(JsonPayloads f) {
        return new PayloadFormat() {
            @Override public int batchOverhead(int n) { return 0; }
            @Override public Encoded encode(List<StoredReading> readings, Instant sent) { return f.encode(readings, sent); }
        };
    }

    @Test
    void anEstimateThatDoesNotHold_isCaughtAfterEncoding_aReadingTooLargeAloneIsDeadLetteredAsTooBig() throws Exception {
        List<Reading> readings = ReadingRecordsTest.varied(32, 200);
        WireReading wide = new WireReading(77, "wmbus:KAM:", "volume", "m3", new BigDecimal("1.5"), "instantaneous", 0, 0, 0, null,
                Instant.parse("2026-12-07T05:00:00Z"), 0, null);
        int head = JsonV1.reading("gw-bound", wide).length;
        wide = new WireReading(77, "wmbus:KAM:" + "7".repeat((LIMIT - 8 - head) / 2), "volume", "m3", new BigDecimal("1.5"), "instantaneous",
                0, 0, 0, null, Instant.parse("2026-12-07T05:00:00Z"), 0, null);
        byte[] object = JsonV1.reading("gw-bound", wide); // the meter twice (its field and the key): just below the limit
        assertTrue(object.length <= LIMIT - 8 && object.length > LIMIT - 16, "stored, it passes the first check: " + object.length);
        try (SqliteBuffer b = buffer(Map.of(77L, object))) {
            b.append(readings).join();
            PayloadFormat underestimating = underestimating(json);
            Drain d = new Drain(b, underestimating, 1_000, LIMIT, Clock.systemUTC());
            List<Drain.Batch> sent = drainAll(d, b);

            assertHalved(sent.get(0), underestimating); // records measured unrendered
            assertWithinLimit(sent);
            Map<Long, String> deadLetters = assertEachReadingOnce(sent, 200, b);
            assertEquals(Map.of(77L, Drain.TOO_BIG), deadLetters);
            assertEquals(1, d.deadLettered());
            assertEquals(Map.of(Drain.TOO_BIG, 1L), b.stats().storage().deadLettersByReason(), "counted under its reason");
        }
    }

    @Test
    void underJson_recordsAreRenderedOnlyAboutAsFarAsTheBatchGoes() {
        FakeBuffer recs = new FakeBuffer(new ReadingRecords());
        recs.append(ReadingRecordsTest.varied(33, 2_000));
        int limit = 64 * 1024;
        List<Integer> offered = new ArrayList<>();
        List<Integer> rendered = new ArrayList<>();
        PayloadFormat watched = new PayloadFormat() { // what the format hands the drain back: the records it rendered
            @Override public int batchOverhead(int n) { return json.batchOverhead(n); }

            @Override public List<StoredReading> prepare(List<StoredReading> read, int maxBytes) {
                List<StoredReading> out = json.prepare(read, maxBytes);
                offered.add(read.size());
                rendered.add((int) out.stream().filter(r -> !ReadingRecords.isRecord(r.body())).count());
                return out;
            }

            @Override public Encoded encode(List<StoredReading> readings, Instant sent) { return json.encode(readings, sent); }
        };
        Drain d = new Drain(recs, watched, 10_000, limit, Clock.systemUTC());
        d.reset(1);
        Drain.Batch first = d.next();
        assertTrue(first.payload().length <= limit);
        int n = first.seqs().length;
        assertEquals(1, offered.size(), "one read for the first batch: " + offered);
        assertTrue(offered.get(0) > 2 * (n + 1), "the read offers far more than fit: " + offered.get(0) + ", " + n + " sent");
        // the batch's own readings and the one that showed the batch full: rendered, none beyond
        assertTrue(rendered.get(0) <= n + 1, n + " readings in the batch, " + rendered.get(0) + " rendered");
    }

    @Test
    void aStoredJsonValueNoDecimalHolds_neitherStallsNorStopsTheDrain() throws Exception {
        List<Reading> readings = ReadingRecordsTest.varied(34, 60);
        // reading 5 as a JSON object, its value an exponent beyond any decimal's scale
        String text = new String(JsonV1.reading("gw-bound", JsonPayloads.wire(5, readings.get(4))), StandardCharsets.UTF_8).replaceFirst("\"value\":[^,]*,", "\"value\":1e2147483648,");
        try (SqliteBuffer b = buffer(Map.of(5L, text.getBytes(StandardCharsets.UTF_8)))) {
            b.append(readings).join();
            Drain d = new Drain(b, new CompactPayloads(json), 1_000, LIMIT, Clock.systemUTC());
            List<Drain.Batch> sent = drainAll(d, b);

            assertWithinLimit(sent);
            assertTrue(assertEachReadingOnce(sent, 60, b).isEmpty(), "every reading delivered");
            Drain.Batch withIt = sent.stream().filter(x -> java.util.Arrays.stream(x.seqs()).anyMatch(s -> s == 5)).findFirst().orElseThrow();
            assertEquals(JsonV1.CONTENT_TYPE, withIt.contentType(), "a stored JSON object that does not read back: its batch goes as JSON v1");
        }
    }

    @Test
    void storedAsJson_aValueNoV1ReaderTakes_isKeptAndDeadLettered_theOthersGoInBatchesAHeadEndReads() throws Exception {
        List<Reading> readings = new ArrayList<>(ReadingRecordsTest.varied(35, 40));
        Reading r = readings.get(9);
        readings.set(9, withValue(r, new BigDecimal(java.math.BigInteger.ONE, -20_000))); // JSON cannot write it plainly at all
        readings.set(19, withValue(r, new BigDecimal("7".repeat(500)))); // 500 digits: more than a v1 reader takes
        try (SqliteBuffer b = SqliteBuffer.open(BufferConfig.defaults(dir.resolve("buffer.db")), json, Clock.systemUTC())) {
            b.append(readings).join(); // the other 38 readings of the call are stored with them
            Drain d = new Drain(b, json, 1_000, 256 * 1024, Clock.systemUTC());
            List<Drain.Batch> sent = drainAll(d, b);

            assertEquals(Map.of(10L, Drain.UNREADABLE, 20L, Drain.UNREADABLE), assertEachReadingOnce(sent, 40, b));
            int read = 0;
            for (Drain.Batch x : sent) read += JsonV1.parseBatch(x.payload()).readings().size();
            assertEquals(38, read, "every published batch is read whole by a v1 reader");
        }
    }

    private static Reading withValue(Reading r, BigDecimal value) {
        return new Reading(r.meter(), r.quantity(), r.unit(), value, r.function(), r.storage(), r.tariff(), r.subunit(),
                r.meterTime(), r.receivedAt(), r.status(), r.rssiDbm());
    }
}
