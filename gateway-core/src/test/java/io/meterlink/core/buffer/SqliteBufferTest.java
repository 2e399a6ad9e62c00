package io.meterlink.core.buffer;


import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.meterlink.core.buffer.TestReadings.BODY;
import static io.meterlink.core.buffer.TestReadings.ENCODER;
import static io.meterlink.core.buffer.TestReadings.billing;
import static io.meterlink.core.buffer.TestReadings.config;
import static io.meterlink.core.buffer.TestReadings.diagnostic;
import static io.meterlink.core.buffer.TestReadings.normal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteBufferTest {

    private static final long ROW = BODY + Schema.ROW_OVERHEAD_BYTES;
    private static final long WAIT_S = 30;

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("buffer.db");
    }

    private static long[] join(CompletableFuture<long[]> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    private static List<Long> seqs(List<StoredReading> rows) {
        return rows.stream().map(StoredReading::seq).toList();
    }

    private static List<Long> allSeqs(SqliteBuffer b) {
        return seqs(b.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void append_commitsThenReadsInSeqOrder() throws Exception {
        TestReadings.MutableClock clock = new TestReadings.MutableClock();
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, clock)) {
            assertEquals(0, b.highestCommittedSeq());
            long[] first = join(b.append(List.of(billing(1), normal(2), diagnostic(3))));
            long[] second = join(b.append(List.of(billing(4))));
            assertArrayEquals(new long[] {1, 2, 3}, first);
            assertArrayEquals(new long[] {4}, second);
            assertEquals(4, b.highestCommittedSeq());

            List<StoredReading> rows = b.read(0, 100, 1 << 20);
            assertEquals(List.of(1L, 2L, 3L, 4L), seqs(rows));
            assertArrayEquals(ENCODER.encode(2, normal(2)), rows.get(1).body());
            assertEquals(List.of(2, 1, 0, 2), rows.stream().map(StoredReading::priority).toList());
            assertEquals(TestReadings.T0.toEpochMilli(), rows.get(0).acceptedAt());
            for (StoredReading r : rows) {
                assertEquals(r.seq(), TestReadings.seqOf(r.body()), "the encoder got the reading's own seq");
            }
            assertEquals(List.of(3L, 4L), seqs(b.read(2, 100, 1 << 20)));
            assertEquals(1, b.lowestSeq());
        }
    }

    @Test
    void read_stopsAtMaxReadingsAndMaxBytes_butReturnsAtLeastOne() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 10)));
            assertEquals(List.of(1L, 2L, 3L), seqs(b.read(0, 3, 1 << 20)));
            assertEquals(List.of(5L, 6L), seqs(b.read(4, 100, 2 * BODY + BODY / 2)));
            assertEquals(List.of(1L), seqs(b.read(0, 100, 1)));
            assertTrue(b.read(10, 100, 1 << 20).isEmpty());
        }
    }

    @Test
    void confirm_deletesOnlyTheGivenSeqs() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 10)));
            b.confirm(new long[] {7, 2, 3, 4, 42});
            b.flush().get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(List.of(1L, 5L, 6L, 8L, 9L, 10L), allSeqs(b));
            BufferStats s = b.stats();
            assertEquals(6, s.depth());
            assertEquals(6 * ROW, s.bytes());
            assertEquals(4, s.confirmed());
            assertEquals(10, s.accepted());
            assertEquals(1, b.lowestSeq());
        }
    }

    @Test
    void seqs_continueAfterCloseAndReopen() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 5)));
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(5, b.highestCommittedSeq());
            assertEquals(5, b.stats().depth());
            assertArrayEquals(new long[] {6, 7}, join(b.append(billing(0, 2))));
        }
    }

    @Test
    void seqs_neverRepeat_afterTheDatabaseIsGone() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 5)));
        }
        Files.delete(db());
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertArrayEquals(new long[] {6}, join(b.append(List.of(billing(1)))), "the sidecar carries the seqs over");
        }
        assertTrue(Files.exists(dir.resolve("buffer.db.seq")));
    }

    @Test
    void writerKilled_everyCommittedSeqSurvives_andSeqsNeverRepeat() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                CrashingAppenderMain.class.getName(), db().toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<Long> committed = new HashSet<>();
        long maxCommitted = 0;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String line;
            while (committed.size() < 20_000 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("C ")) {
                    String[] f = line.split(" ");
                    for (long s = Long.parseLong(f[1]); s <= Long.parseLong(f[2]); s++) {
                        committed.add(s);
                        maxCommitted = Math.max(maxCommitted, s);
                    }
                }
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS));
            // lines the child printed before the kill may still be in the pipe
            try {
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("C ")) {
                        String[] f = line.split(" ");
                        for (long s = Long.parseLong(f[1]); s <= Long.parseLong(f[2]); s++) {
                            committed.add(s);
                            maxCommitted = Math.max(maxCommitted, s);
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // pipe closed by the kill: nothing more to read
            }
        } finally {
            p.destroyForcibly();
        }
        assertTrue(committed.size() >= 1000, "the child committed readings before it was killed: " + committed.size());

        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            Set<Long> stored = new HashSet<>(allSeqs(b));
            Set<Long> missing = new HashSet<>(committed);
            missing.removeAll(stored);
            assertTrue(missing.isEmpty(), "committed but lost: " + missing.size());
            assertEquals(stored.size(), b.stats().depth(), "meta depth matches the rows");
            long highest = b.highestCommittedSeq();
            assertTrue(highest >= maxCommitted, highest + " < " + maxCommitted);
            long next = join(b.append(List.of(billing(1))))[0];
            assertTrue(next > highest, "the next seq " + next + " continues above the stored " + highest);
            assertEquals(next, b.highestCommittedSeq());
        }
        // and a brand-new database after the crash still starts above every seq the child used
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(dir.resolve("buffer.db" + suffix));
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertTrue(join(b.append(List.of(billing(1))))[0] > maxCommitted);
        }
    }

    @Test
    void eviction_lowestPriorityFirst_oldestFirst_billingLast() throws Exception {
        Path path = db();
        BufferConfig cfg = config(path, 6 * ROW, Duration.ofMillis(10), 1000, 1000);
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC())) {
            // seq 1 billing, 2 diagnostic, 3 normal, 4 diagnostic, 5 normal, 6 billing: exactly full
            join(b.append(List.of(billing(1), diagnostic(2), normal(3), diagnostic(4), normal(5), billing(6))));
            assertEquals(6 * ROW, b.stats().bytes());
            assertEquals(0L, b.stats().evictions().get("bytes_cap"));
            join(b.append(List.of(normal(7), normal(8), normal(9))));
            assertEquals(List.of(1L, 5L, 6L, 7L, 8L, 9L), allSeqs(b));
            join(b.append(List.of(billing(10), billing(11), billing(12), billing(13))));
            // normals (5, 7, 8, 9) go before any billing reading
            assertEquals(List.of(1L, 6L, 10L, 11L, 12L, 13L), allSeqs(b));
            join(b.append(List.of(billing(14))));
            assertEquals(List.of(6L, 10L, 11L, 12L, 13L, 14L), allSeqs(b), "billing goes last, oldest first");
            BufferStats s = b.stats();
            assertEquals(8L, s.evictions().get("bytes_cap"));
            assertEquals(0L, s.evictions().get("disk_free"));
            assertEquals(6, s.depth());
            assertEquals(6 * ROW, s.bytes());
        }
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC())) {
            assertEquals(8L, b.stats().evictions().get("bytes_cap"), "eviction counters persist");
            assertEquals(8L, SqliteBuffer.inspect(path).evictions().get("bytes_cap"));
        }
    }

    @Test
    void lowDisk_stopsGrowing_evictsCountedAsDiskFree() throws Exception {
        double[] free = {50.0};
        BufferConfig cfg = new BufferConfig(db(), 256 * BufferConfig.MIB, 5, Duration.ofMillis(10), 1000, true, 1000);
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC(), () -> free[0], Duration.ZERO)) {
            join(b.append(List.of(billing(1), diagnostic(2), normal(3), billing(4))));
            free[0] = 4.0;
            join(b.append(List.of(billing(5), billing(6))));
            assertEquals(List.of(1L, 4L, 5L, 6L), allSeqs(b));
            assertEquals(4 * ROW, b.stats().bytes(), "the buffer did not grow");
            assertEquals(2L, b.stats().evictions().get("disk_free"));
            free[0] = 30.0;
            join(b.append(List.of(billing(7))));
            assertEquals(5, b.stats().depth(), "grows again once the disk has room");
        }
    }

    @Test
    void deadLetter_movesRowsOutOfTheQueue_andCountsThem() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 5)));
            b.deadLetter(new long[] {2, 4, 99}, "too_big");
            b.flush().get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(List.of(1L, 3L, 5L), allSeqs(b));
            assertEquals(2, b.stats().deadLetters());
            assertEquals(3, b.stats().depth());
            assertEquals(3 * ROW, b.stats().bytes());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, reason, length(body) FROM dead_letter ORDER BY seq")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getLong(1));
            assertEquals("too_big", rs.getString(2));
            assertEquals(BODY, rs.getInt(3));
            assertTrue(rs.next());
            assertEquals(4, rs.getLong(1));
            assertFalse(rs.next());
        }
        assertEquals(2, SqliteBuffer.inspect(db()).deadLetters());
    }

    @Test
    void garbageFile_isQuarantined_keptAndAlarmed_andANewDatabaseWorks() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 3)));
        }
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        // an SQLite header, then garbage: looks like a database, fails the check after a crash
        System.arraycopy(DatabaseFiles.SQLITE_HEADER, 0, garbage, 0, DatabaseFiles.SQLITE_HEADER.length);
        Files.write(db(), garbage);
        Files.delete(DatabaseFiles.cleanMarker(db()));
        assertQuarantined(garbage, 4);
    }

    @Test
    void fileWithoutSqliteHeader_isRefused_neverRenamedOrTouched() throws Exception {
        byte[] key = ("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGc2Y8Gr7aZ0cXZ6\n-----END PRIVATE KEY-----\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path keyFile = dir.resolve("gateway.key");
        Files.write(keyFile, key);
        NotABufferException e = assertThrows(NotABufferException.class,
                () -> SqliteBuffer.open(config(keyFile), ENCODER, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("not an SQLite database"), e.getMessage());
        assertArrayEquals(key, Files.readAllBytes(keyFile), "the key is unchanged");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(keyFile), files.toList(), "nothing renamed, no sidecar created next to it");
        }
        assertThrows(NotABufferException.class, () -> DatabaseFiles.quarantine(keyFile, Clock.systemUTC()));
        assertArrayEquals(key, Files.readAllBytes(keyFile));
    }

    @Test
    void cleanClose_leavesTheMarker_soTheNextOpenSkipsTheCheck_andAnUncleanOneIsChecked() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            join(b.append(billing(0, 3)));
            assertFalse(Files.exists(DatabaseFiles.cleanMarker(db())), "no marker while open");
        }
        assertTrue(Files.exists(DatabaseFiles.cleanMarker(db())), "a clean close leaves the marker");
        // a corrupt page after a clean close is not looked for at open (the open reads no page it does not need) ...
        corruptReadingsPage();
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertTrue(Alarm.texts(b.stats().alarms()).stream().noneMatch(a -> a.startsWith("database_quarantined")), Alarm.texts(b.stats().alarms())::toString);
            java.util.concurrent.atomic.AtomicReference<BufferException> fatal = new java.util.concurrent.atomic.AtomicReference<>();
            b.onFatal(fatal::set);
            // ... but the first read of that page finds it: alarm, and this close is not clean
            assertThrows(BufferException.class, () -> b.read(0, 10, 1 << 20));
            BufferStats stats = b.stats();
            assertEquals(List.of("storage_corrupt"), Alarm.texts(stats.alarms()));
            assertTrue(stats.storage().faults().get("storage_corrupt") >= 1, stats.storage()::toString);
            // it persists: after three failures in a row the buffer gives up (run exits 3, systemd restarts it)
            for (int i = 0; i < StorageFaults.CORRUPT_ATTEMPTS; i++) {
                assertThrows(BufferException.class, () -> b.read(0, 10, 1 << 20));
            }
            assertNotNull(fatal.get(), "fatal listeners told");
            assertTrue(fatal.get().getMessage().contains("corrupt"), fatal.get().getMessage());
            assertThrows(java.util.concurrent.ExecutionException.class, () -> b.append(List.of(billing(9))).get(WAIT_S, TimeUnit.SECONDS),
                    "nothing more is stored");
        }
        assertFalse(Files.exists(DatabaseFiles.cleanMarker(db())), "a close after corruption is not clean");
        // so the next open checks the whole file and quarantines it
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertTrue(Alarm.texts(b.stats().alarms()).get(0).startsWith("database_quarantined:"), Alarm.texts(b.stats().alarms())::toString);
        }
    }

    /** Overwrites the b-tree header of page 2 (the root of {@code readings}, the first table created) with garbage. */
    private void corruptReadingsPage() throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(db(), java.nio.file.StandardOpenOption.WRITE)) {
            byte[] junk = new byte[64];
            java.util.Arrays.fill(junk, (byte) 0xee);
            ch.write(java.nio.ByteBuffer.wrap(junk), 4096);
        }
    }

    @Test
    void truncatedDatabase_isQuarantined() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            for (int i = 0; i < 10; i++) {
                join(b.append(billing(i * 1000, 1000)));
            }
        }
        long size = Files.size(db());
        assertTrue(size > 1_000_000, "a database worth truncating: " + size);
        try (var ch = java.nio.channels.FileChannel.open(db(), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        byte[] truncated = Files.readAllBytes(db());
        Files.delete(DatabaseFiles.cleanMarker(db())); // as after a crash
        assertQuarantined(truncated, 10_001);
    }

    private void assertQuarantined(byte[] oldContent, long expectedNextSeq) throws Exception {
        Path renamed;
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<Path> kept;
            try (Stream<Path> files = Files.list(dir)) {
                kept = files.filter(f -> f.getFileName().toString().startsWith("buffer.db.corrupt-")).toList();
            }
            assertEquals(1, kept.size(), "renamed and kept: " + kept);
            renamed = kept.get(0);
            assertArrayEquals(oldContent, Files.readAllBytes(renamed), "the corrupt file is kept as it was");
            assertEquals(List.of("database_quarantined:" + renamed.toAbsolutePath()), Alarm.texts(b.stats().alarms()));
            assertEquals(0, b.stats().depth());
            assertArrayEquals(new long[] {expectedNextSeq}, join(b.append(List.of(billing(1)))), "seqs continue above the old database's");
            assertEquals(1, allSeqs(b).size());
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(List.of("database_quarantined:" + renamed.toAbsolutePath()), Alarm.texts(b.stats().alarms()), "the alarm survives a restart");
            assertEquals(1, b.stats().depth());
        }
        assertTrue(Files.exists(renamed));
    }

    @Test
    void append_blocksWhenTheQueueIsFull_andLosesNothing() throws Exception {
        BufferConfig cfg = config(db(), 256 * BufferConfig.MIB, Duration.ofSeconds(60), 1000, 10);
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC())) {
            List<CompletableFuture<long[]>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(b.append(List.of(billing(i))));
            }
            CompletableFuture<CompletableFuture<long[]>> blocked = new CompletableFuture<>();
            Thread producer = new Thread(() -> {
                try {
                    blocked.complete(b.append(List.of(billing(10))));
                } catch (Throwable t) {
                    blocked.completeExceptionally(t);
                }
            });
            producer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (producer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(Thread.State.WAITING, producer.getState(), "the 11th reading waits for room");
            assertFalse(blocked.isDone());
            b.flush();
            CompletableFuture<long[]> lastFuture = blocked.get(WAIT_S, TimeUnit.SECONDS);
            producer.join();
            b.flush().get(WAIT_S, TimeUnit.SECONDS);
            long[] last = join(lastFuture);
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(new long[] {i + 1}, join(futures.get(i)));
            }
            assertArrayEquals(new long[] {11}, last);
            assertEquals(11, allSeqs(b).size());
        }
    }

    @Test
    void close_flushesThePendingGroupCommit() throws Exception {
        BufferConfig cfg = config(db(), 256 * BufferConfig.MIB, Duration.ofSeconds(60), 100_000, 20_000);
        List<CompletableFuture<long[]>> futures = new ArrayList<>();
        SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC());
        for (int i = 0; i < 100; i++) {
            futures.add(b.append(billing(i * 10, 10)));
        }
        assertFalse(futures.get(99).isDone(), "still waiting for its group commit");
        b.close();
        b.close();
        for (CompletableFuture<long[]> f : futures) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally());
        }
        assertTrue(b.append(List.of(billing(1))).isCompletedExceptionally(), "closed buffers refuse appends");
        assertEquals(1000, SqliteBuffer.inspect(db()).depth());
        assertFalse(Files.exists(dir.resolve("buffer.db-wal")) && Files.size(dir.resolve("buffer.db-wal")) > 0,
                "checkpointed at close");
        try (SqliteBuffer again = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC())) {
            assertEquals(1000, allSeqs(again).size());
        }
    }

    @Test
    void stats_reportDepthBytesAgeAndCounters() throws Exception {
        TestReadings.MutableClock clock = new TestReadings.MutableClock();
        BufferConfig cfg = config(db(), 1_000_000, Duration.ofMillis(10), 1000, 1000);
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, clock)) {
            BufferStats empty = b.stats();
            assertEquals(new BufferStats(0, 0, 1_000_000, 0, 0, 0, 0, Map.of("bytes_cap", 0L, "disk_free", 0L), 0, List.of()), empty);
            join(b.append(billing(0, 4)));
            clock.advance(Duration.ofSeconds(90));
            join(b.append(billing(0, 2)));
            b.confirm(new long[] {1});
            b.flush().get(WAIT_S, TimeUnit.SECONDS);
            BufferStats s = b.stats();
            assertEquals(5, s.depth());
            assertEquals(5 * ROW, s.bytes());
            assertEquals(1_000_000, s.maxBytes());
            assertEquals(90_000, s.oldestUnsentAgeMs());
            assertEquals(6, s.highestSeq());
            assertEquals(6, s.accepted());
            assertEquals(1, s.confirmed());
            assertEquals(0, s.deadLetters());
            assertTrue(s.alarms().isEmpty());

            BufferStats inspected = SqliteBuffer.inspect(db());
            assertEquals(5, inspected.depth(), "inspect works while the gateway has the file open");
            assertEquals(5 * ROW, inspected.bytes());
            assertEquals(6, inspected.highestSeq());
            assertEquals(1_000_000, inspected.maxBytes());
        }
    }

    @Test
    void onCommit_runsAfterCommitsThatAddedReadings() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            AtomicInteger calls = new AtomicInteger();
            long[] seenHighest = new long[1];
            b.onCommit(() -> {
                calls.incrementAndGet();
                seenHighest[0] = b.highestCommittedSeq();
            });
            join(b.append(billing(0, 3)));
            b.confirm(new long[] {1});
            b.flush().get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(1, calls.get());
            assertEquals(3, seenHighest[0]);
        }
    }

    @Test
    void open_refusesASecondOpenAndAnUnusablePath() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertThrows(BufferException.class, () -> SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC()));
        }
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        assertThrows(BufferException.class, () -> SqliteBuffer.open(config(notADir.resolve("buffer.db")), ENCODER, Clock.systemUTC()));
        assertThrows(BufferException.class, () -> SqliteBuffer.inspect(dir.resolve("missing.db")));
    }

    @Test
    void foreignSqliteDatabase_isRefusedNotQuarantined() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE customers(id INTEGER PRIMARY KEY)");
        }
        assertThrows(BufferException.class, () -> SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC()));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("corrupt")));
        }
    }

    @Test
    void manyProducers_getUniqueSeqsCommittedInOrder() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db(), 256 * BufferConfig.MIB, Duration.ofMillis(5), 100, 500), ENCODER, Clock.systemUTC())) {
            List<Thread> threads = new ArrayList<>();
            List<CompletableFuture<long[]>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            futures.add(b.append(billing(i, 7)));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            Set<Long> seen = new HashSet<>();
            for (CompletableFuture<long[]> f : futures) {
                for (long s : join(f)) {
                    assertTrue(seen.add(s));
                }
            }
            assertEquals(2800, seen.size());
            List<Long> stored = allSeqs(b);
            assertEquals(2800, stored.size());
            assertEquals(2800L, stored.get(stored.size() - 1));
        }
    }


    @Test
    void append_largerThanOneTransaction_isSplitAndCompletesAfterItsLastPart() throws Exception {
        BufferConfig cfg = config(db(), 256 * BufferConfig.MIB, Duration.ofMillis(10), 1000, 20_000);
        try (SqliteBuffer b = SqliteBuffer.open(cfg, ENCODER, Clock.systemUTC())) {
            long[] seqs = join(b.append(billing(0, 2_550)));
            assertEquals(2_550, seqs.length);
            assertEquals(1, seqs[0]);
            assertEquals(2_550, seqs[2_549]);
            List<Long> stored = allSeqs(b);
            assertEquals(2_550, stored.size());
            assertEquals(2_550, b.stats().depth());
            assertEquals(2_550 * ROW, b.stats().bytes());
        }
    }

    @Test
    void sigterm_shutdownHookClose_storesThePendingGroupCommit() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                CrashingAppenderMain.class.getName(), db().toString(), "sigterm");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("QUEUED")) {
                // wait until the readings are queued
            }
            assertEquals("QUEUED", line);
            p.destroy(); // SIGTERM: the shutdown hook closes the buffer
            assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(500, SqliteBuffer.inspect(db()).depth());
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(500, allSeqs(b).size());
            assertArrayEquals(new long[] {501}, join(b.append(List.of(billing(1)))), "clean close: no seq gap");
        }
    }
}
