package io.meterlink.core.buffer;

import io.meterlink.core.api.Priority;
import io.meterlink.core.api.Reading;
import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.meterlink.core.buffer.TestReadings.ENCODER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed layout against a plain model: random appends of mixed priorities, confirms of runs and
 * of scattered seqs (cutting segments in the middle), dead letters, eviction under a byte bound,
 * imports into the spans of stored segments, and reads from random places with random limits, on a
 * real SQLite file. After every step the buffer holds exactly what the model holds, in the same
 * order, with the same priorities, bodies and counters.
 */
class SegmentModelTest {

    @TempDir
    Path dir;

    private record Stored(int priority, byte[] body) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomOperations_leaveExactlyWhatTheModelHolds(long seed) throws Exception {
        randomOperations(seed, false);
    }

    /** The same against the row-per-reading layout an update on trial keeps (schema 2). */
    @ParameterizedTest
    @ValueSource(longs = {6, 7})
    void randomOperations_inTheKeptRowLayout_leaveExactlyWhatTheModelHolds(long seed) throws Exception {
        randomOperations(seed, true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("buffer.db"))) {
            assertEquals(Schema.ROWS_VERSION, Schema.versionOf(c), "never packed");
        }
    }

    private BufferConfig config(long cap, boolean keepLayout) {
        BufferConfig c = TestReadings.config(dir.resolve("buffer.db"), cap, Duration.ofMillis(5), 100_000, 100_000);
        return keepLayout ? c.keepingLayout() : c;
    }

    private void randomOperations(long seed, boolean keepLayout) throws Exception {
        Random rnd = new Random(seed);
        long cap = 1_500L * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES);
        TreeMap<Long, Stored> model = new TreeMap<>();
        long evicted = 0;
        long deadLetters = 0;
        try (SqliteBuffer b = SqliteBuffer.open(config(cap, keepLayout), ENCODER, Clock.systemUTC())) {
            for (int step = 0; step < 120; step++) {
                int op = rnd.nextInt(10);
                if (op < 4) {
                    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 400);
                    List<Reading> rs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        int v = rnd.nextInt(1_000_000);
                        rs.add(switch (rnd.nextInt(3)) {
                            case 0 -> TestReadings.diagnostic(v);
                            case 1 -> TestReadings.normal(v);
                            default -> TestReadings.billing(v);
                        });
                    }
                    long[] seqs = b.append(rs).get(30, TimeUnit.SECONDS);
                    for (int i = 0; i < n; i++) {
                        model.put(seqs[i], new Stored(Priority.of(rs.get(i)).ordinal(), ENCODER.encode(seqs[i], rs.get(i))));
                    }
                    // the transaction evicts lowest priority, oldest first, until the bound holds
                    while (model.size() * (long) (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES) > cap) {
                        long victim = -1;
                        int low = Integer.MAX_VALUE;
                        for (var e : model.entrySet()) {
                            if (e.getValue().priority() < low) {
                                low = e.getValue().priority();
                                victim = e.getKey();
                            }
                        }
                        model.remove(victim);
                        evicted++;
                    }
                } else if (op < 7 && !model.isEmpty()) {
                    List<Long> keys = new ArrayList<>(model.keySet());
                    List<Long> chosen = new ArrayList<>();
                    if (rnd.nextBoolean()) { // a run, as a batch acknowledgement
                        int from = rnd.nextInt(keys.size());
                        chosen.addAll(keys.subList(from, Math.min(keys.size(), from + 1 + rnd.nextInt(300))));
                    } else { // scattered
                        for (Long k : keys) {
                            if (rnd.nextInt(7) == 0) chosen.add(k);
                        }
                    }
                    chosen.add(model.lastKey() + 5); // a seq never stored: ignored
                    if (rnd.nextInt(4) == 0) {
                        b.deadLetter(chosen.stream().mapToLong(Long::longValue).toArray(), "too_big");
                        deadLetters += chosen.stream().filter(model::containsKey).count();
                    } else {
                        b.confirm(chosen.stream().mapToLong(Long::longValue).toArray());
                    }
                    chosen.forEach(model::remove);
                    b.flush().get(30, TimeUnit.SECONDS);
                } else if (op < 8) {
                    // an import of readings that are not stored (some inside the spans of stored segments) and of some that are
                    List<StoredReading> rows = new ArrayList<>();
                    long top = b.highestCommittedSeq();
                    for (int i = 0; i < 1 + rnd.nextInt(30) && top > 0; i++) {
                        long seq = 1 + (long) rnd.nextInt((int) top);
                        Reading r = TestReadings.normal(rnd.nextInt(1000));
                        rows.add(new StoredReading(seq, 77, Priority.NORMAL.ordinal(), ENCODER.encode(seq, r)));
                    }
                    int expected = 0;
                    for (StoredReading r : rows.stream().collect(java.util.stream.Collectors.toMap(StoredReading::seq, x -> x, (x, y) -> x)).values()) {
                        if (!model.containsKey(r.seq())) {
                            model.put(r.seq(), new Stored(r.priority(), r.body()));
                            expected++;
                        }
                    }
                    // an import adds without evicting (no reading appended): the next append's transaction evicts
                    assertEquals(expected, b.importStored(rows), "new seqs imported, stored ones skipped");
                } else {
                    long after = model.isEmpty() ? 0 : model.firstKey() - 1 + rnd.nextInt((int) (model.lastKey() - model.firstKey() + 2));
                    int max = 1 + rnd.nextInt(500);
                    int maxBytes = rnd.nextBoolean() ? Integer.MAX_VALUE : 1 + rnd.nextInt(20 * TestReadings.BODY);
                    List<StoredReading> got = b.read(after, max, maxBytes);
                    List<Long> want = new ArrayList<>();
                    long bytes = 0;
                    for (var e : model.tailMap(after, false).entrySet()) {
                        if (want.size() == max || (!want.isEmpty() && bytes + e.getValue().body().length > maxBytes)) break;
                        want.add(e.getKey());
                        bytes += e.getValue().body().length;
                    }
                    assertEquals(want, got.stream().map(StoredReading::seq).toList(), "read(" + after + ", " + max + ", " + maxBytes + ")");
                }
                assertSame(model, b, seed + " step " + step);
                assertEquals(deadLetters, b.stats().deadLetters());
                assertEquals(evicted, b.stats().evictions().values().stream().mapToLong(Long::longValue).sum());
            }
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(cap, keepLayout), ENCODER, Clock.systemUTC())) {
            assertSame(model, b, "after a reopen");
        }
    }

    private static void assertSame(TreeMap<Long, Stored> model, SqliteBuffer b, String where) {
        List<StoredReading> all = b.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(new ArrayList<>(model.keySet()), all.stream().map(StoredReading::seq).toList(), where);
        Iterator<Stored> it = model.values().iterator();
        for (StoredReading r : all) {
            Stored s = it.next();
            assertEquals(s.priority(), r.priority(), where);
            assertArrayEquals(s.body(), r.body(), where);
        }
        assertEquals(model.size(), b.stats().depth(), where);
        assertEquals(model.size() * (long) (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES), b.stats().bytes(), where);
        assertEquals(model.isEmpty() ? 0 : model.firstKey(), b.lowestSeq(), where);
    }

    @Test
    void segmentsHoldManyReadings_andTheirKeysAreTheirFirstStoredSeqs() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 1000)).get(30, TimeUnit.SECONDS);
            b.confirm(new long[] {1, 2, 3, 500});
            b.flush().get(30, TimeUnit.SECONDS);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(count), min(seq), max(last) FROM segments")) {
            assertTrue(rs.next());
            assertTrue(rs.getInt(1) <= 1000 / Segment.MAX_ENTRIES + 2, "packed: " + rs.getInt(1) + " rows");
            assertEquals(996, rs.getInt(2));
            assertEquals(4, rs.getLong(3));
            assertEquals(1000, rs.getLong(4));
        }
    }

    @Test
    void aSegmentWhoseFramingIsDamaged_isDeadLetteredWhole_theOthersStillRead() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 3 * Segment.MAX_ENTRIES)).get(30, TimeUnit.SECONDS);
        }
        long key;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT seq FROM segments ORDER BY seq LIMIT 1 OFFSET 1")) {
                assertTrue(rs.next());
                key = rs.getLong(1);
            }
            // a body length far past the end
            s.executeUpdate("UPDATE segments SET entries = X'0002FFFFFF7F' || substr(entries, 4) WHERE seq = " + key);
        }
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE);
            assertEquals(2 * Segment.MAX_ENTRIES, rows.size());
            assertTrue(rows.stream().noneMatch(r -> r.seq() >= Segment.MAX_ENTRIES + 1 && r.seq() <= 2 * Segment.MAX_ENTRIES));
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(Segment.MAX_ENTRIES, b.stats().deadLetters(), "counted as the readings it held");
            assertEquals(Map.of(Schema.REASON_CHECKSUM_MISMATCH, (long) Segment.MAX_ENTRIES), b.stats().storage().deadLettersByReason());
            assertEquals(2 * Segment.MAX_ENTRIES, b.stats().depth());
            assertEquals(2 * Segment.MAX_ENTRIES, b.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE).size());
        }
    }

    @Test
    void aTransactionThatFails_leavesNothingOfItsReadingsForTheNextOne() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 4)).get(30, TimeUnit.SECONDS);
            damage(db, "CREATE TRIGGER refuse BEFORE INSERT ON segments WHEN NEW.seq = 5 BEGIN SELECT RAISE(ABORT, 'refused'); END");
            var failed = b.append(TestReadings.billing(4, 3));
            assertThrows(java.util.concurrent.ExecutionException.class, () -> failed.get(30, TimeUnit.SECONDS));
            damage(db, "DROP TRIGGER refuse");
            assertArrayEquals(new long[] {8, 9}, b.append(TestReadings.billing(7, 2)).get(30, TimeUnit.SECONDS));
            assertEquals(List.of(1L, 2L, 3L, 4L, 8L, 9L), b.read(0, 100, Integer.MAX_VALUE).stream().map(StoredReading::seq).toList(),
                    "the readings of the failed transaction are not stored with the next one");
        }
    }

    /** Runs {@code sql} on the buffer file behind the buffer's back. */
    private void damage(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    @Test
    void aDamagedLastColumn_doesNotLetAConfirmDeleteReadingsThatWereNeverSent() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, Segment.MAX_ENTRIES)).get(30, TimeUnit.SECONDS);
        }
        damage(db, "UPDATE segments SET last = 10 WHERE seq = 1");
        assertConfirmingUpTo100_leavesTheRest(db, 100);
    }

    /** The drain reads {@code sent} readings up to 100 and acknowledges 1..100: the segment's readings after 100 stay. */
    private static void assertConfirmingUpTo100_leavesTheRest(Path db, int sent) throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            assertEquals(sent, b.read(0, 100, Integer.MAX_VALUE).size());
            b.confirm(java.util.stream.LongStream.rangeClosed(1, 100).toArray());
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(Segment.MAX_ENTRIES - 100, b.read(0, 1000, Integer.MAX_VALUE).size(), "the readings after 100 are still there");
            assertEquals(Segment.MAX_ENTRIES - 100, b.stats().depth());
        }
    }

    @Test
    void aDamagedLastColumn_onASegmentWithGaps_doesNotLetAConfirmDeleteReadingsThatWereNeverSent() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, Segment.MAX_ENTRIES)).get(30, TimeUnit.SECONDS);
            b.deadLetter(java.util.stream.LongStream.rangeClosed(2, 99).toArray(), "too_big"); // the segment is {1, 100..128} now: count 30
            b.flush().get(30, TimeUnit.SECONDS);
        }
        damage(db, "UPDATE segments SET last = 100 WHERE seq = 1");
        assertConfirmingUpTo100_leavesTheRest(db, 30);
    }

    @Test
    void aSegmentDamagedInFramingAndSpan_isEvictedAwayWithoutTheWriterSpinning() throws Exception {
        Path db = dir.resolve("buffer.db");
        long cap = 300L * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES);
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db, cap, Duration.ofMillis(5), 1000, 20_000), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 200)).get(30, TimeUnit.SECONDS);
        }
        damage(db, "UPDATE segments SET entries = X'01', last = seq - 1, low = 0 WHERE seq = 1");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db, cap, Duration.ofMillis(5), 1000, 20_000), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(200, 200)).get(30, TimeUnit.SECONDS);
            assertTrue(b.stats().depth() <= 300, "within the bound: " + b.stats().depth());
            assertEquals(Segment.MAX_ENTRIES, b.stats().deadLetters(), "the damaged segment went to the dead letters whole");
        }
    }

    @Test
    void aSalvagedReading_intoTheSpanOfADamagedSegment_isStored_andTheSegmentDeadLettered() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 10)).get(30, TimeUnit.SECONDS);
            b.confirm(new long[] {5});
            b.flush().get(30, TimeUnit.SECONDS);
        }
        damage(db, "UPDATE segments SET entries = X'0002FFFFFF7F' || substr(entries, 4) WHERE seq = 1");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            byte[] body = ENCODER.encode(5, TestReadings.billing(4));
            assertEquals(1, b.importStored(List.of(new StoredReading(5, 1, Priority.BILLING.ordinal(), body))));
            List<StoredReading> rows = b.read(0, 100, Integer.MAX_VALUE);
            assertEquals(List.of(5L), rows.stream().map(StoredReading::seq).toList());
            assertEquals(9, b.stats().deadLetters());
        }
    }

    @Test
    void aSalvagedReading_pastTheRealEndOfASegmentWhoseLastColumnIsDamaged_isStored() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 10)).get(30, TimeUnit.SECONDS);
        }
        damage(db, "UPDATE segments SET last = 20 WHERE seq = 1");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            assertEquals(1, b.importStored(List.of(new StoredReading(15, 1, Priority.BILLING.ordinal(), ENCODER.encode(15, TestReadings.billing(14))))));
            assertEquals(11, b.read(0, 100, Integer.MAX_VALUE).size());
            assertEquals(11, b.stats().depth());
        }
    }

    @Test
    void aPriorityOutOfRange_inAnOldRowOrASalvagedReading_costsNothingElse() throws Exception {
        Path db = dir.resolve("buffer.db");
        try (SqliteBuffer b = SqliteBuffer.open(TestReadings.config(db), ENCODER, Clock.systemUTC())) {
            b.append(TestReadings.billing(0, 3)).get(30, TimeUnit.SECONDS);
            byte[] body = ENCODER.encode(10, TestReadings.billing(9));
            assertEquals(2, b.importStored(List.of(new StoredReading(10, 1, 7, body),
                    new StoredReading(11, 1, Priority.BILLING.ordinal(), ENCODER.encode(11, TestReadings.billing(10))))));
            List<StoredReading> rows = b.read(0, 100, Integer.MAX_VALUE);
            assertEquals(List.of(1L, 2L, 3L, 10L, 11L), rows.stream().map(StoredReading::seq).toList());
            assertEquals(Priority.NORMAL.ordinal(), rows.get(3).priority(), "stored as NORMAL");
            assertEquals(0, b.stats().deadLetters());
        }
    }

    @Test
    void decode_refusesDamagedFraming() {
        byte[][] bad = {
            {},                      // empty
            {1, 2, 0, 0, 0, 0, 0},   // the first entry's step is not 0
            {0, 2, 5, 0, 0, 0, 0},   // body past the end
            {0, 9, 0, 0, 0, 0, 0},   // priority out of range
            {0, 2, 0, 0, 0, 0, 0, 0},  // a second entry with step 0
            {0, 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        };
        for (byte[] b : bad) {
            assertThrows(Segment.Malformed.class, () -> Segment.decode(10, b), java.util.Arrays.toString(b));
        }
    }
}
