package io.meterlink.core.buffer;

import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.meterlink.core.buffer.TestReadings.ENCODER;
import static io.meterlink.core.buffer.TestReadings.billing;
import static io.meterlink.core.buffer.TestReadings.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checksums, the migrations from schemas 1 and 2, file modes and salvage, on real SQLite files. */
class BufferIntegrityTest {

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("buffer.db");
    }

    private static List<Long> seqs(SqliteBuffer b) {
        return b.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE).stream().map(StoredReading::seq).toList();
    }

    private void fill(Path file, int count) throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(file), ENCODER, Clock.systemUTC())) {
            b.append(billing(0, count)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Flips one byte of a stored body inside its segment, behind the buffer's back (the checksum stays as it was). */
    private static void flipBodyByte(Path file, long seq) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement ps = c.prepareStatement("UPDATE segments SET entries = ? WHERE seq = ?")) {
            long key;
            byte[] blob;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, entries FROM segments WHERE seq <= " + seq + " ORDER BY seq DESC LIMIT 1")) {
                assertTrue(rs.next());
                key = rs.getLong(1);
                blob = rs.getBytes(2);
            }
            byte[] body = Segment.decode(key, blob).stream().filter(e -> e.seq() == seq).findFirst().orElseThrow().body();
            int at = indexOf(blob, body);
            assertTrue(at > 0, "the body is in the blob");
            blob[at + body.length / 2] ^= 0x01;
            ps.setBytes(1, blob);
            ps.setLong(2, key);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static int indexOf(byte[] in, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= in.length; i++) {
            for (int k = 0; k < part.length; k++) {
                if (in[i + k] != part[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /**
     * A buffer exactly as schema 1 (no checksum column) or 2 wrote it: a row per reading, seqs 1..n,
     * committed at {@code 1000 + seq / 3} (runs of rows share a commit time), one priority per row;
     * under schema 2 the row of {@code badSeq} carries a wrong checksum.
     */
    private static void legacyFile(Path file, int version, int n, long badSeq) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.executeUpdate("CREATE TABLE readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                    + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL" + (version >= 2 ? ", crc INTEGER)" : ")"));
            s.executeUpdate("CREATE INDEX readings_eviction ON readings(priority, seq, size)");
            s.executeUpdate("CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID");
            s.executeUpdate("CREATE TABLE dead_letter(seq INTEGER PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL, body BLOB NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings VALUES (?, ?, ?, ?, ?" + (version >= 2 ? ", ?)" : ")"))) {
                for (int i = 1; i <= n; i++) {
                    byte[] body = ENCODER.encode(i, billing(i - 1));
                    ps.setLong(1, i);
                    ps.setInt(2, i % 3);
                    ps.setLong(3, 1000 + i / 3);
                    ps.setInt(4, body.length);
                    ps.setBytes(5, body);
                    if (version >= 2) {
                        ps.setLong(6, Checksums.of(i, body) + (i == badSeq ? 1 : 0));
                    }
                    ps.executeUpdate();
                }
            }
            long bytes = n * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES);
            s.executeUpdate("INSERT INTO meta VALUES ('schema_version', " + version + "), ('created_at', 1), ('seq_hwm', " + n + "),"
                    + " ('depth', " + n + "), ('bytes', " + bytes + "), ('dead_letters', 0), ('evictions.bytes_cap', 0), ('evictions.disk_free', 0)");
        }
    }

    @Test
    void flippedByte_isDeadLetteredAsChecksumMismatch_neverReturned() throws Exception {
        fill(db(), 10);
        flipBodyByte(db(), 4);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, 100, 1 << 20);
            assertEquals(List.of(1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L), rows.stream().map(StoredReading::seq).toList());
            for (StoredReading r : rows) {
                assertArrayEquals(ENCODER.encode(r.seq(), billing((int) r.seq() - 1)), r.body(), "unchanged bodies only");
            }
            b.flush().get(30, TimeUnit.SECONDS);
            BufferStats s = b.stats();
            assertEquals(1, s.deadLetters());
            assertEquals(9, s.depth());
            assertEquals(Map.of(Schema.REASON_CHECKSUM_MISMATCH, 1L), s.storage().deadLettersByReason());
        }
        assertEquals(Map.of(Schema.REASON_CHECKSUM_MISMATCH, 1L), SqliteBuffer.inspect(db()).storage().deadLettersByReason(),
                "the counted reason is persisted");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, reason FROM dead_letter")) {
            assertTrue(rs.next());
            assertEquals(4, rs.getLong(1));
            assertEquals("checksum_mismatch", rs.getString(2));
            assertFalse(rs.next());
        }
    }

    @Test
    void schemaVersion1_migratesIntoSegmentsWithoutLoss_everyRowCheckedAfter() throws Exception {
        legacyFile(db(), 1, 5, -1);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, 100, Integer.MAX_VALUE);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rows.stream().map(StoredReading::seq).toList(), "every old row is still there");
            for (StoredReading r : rows) {
                assertArrayEquals(ENCODER.encode(r.seq(), billing((int) r.seq() - 1)), r.body());
                assertEquals(r.seq() % 3, r.priority());
                assertEquals(1000 + r.seq() / 3, r.acceptedAt(), "each keeps its commit time");
            }
            assertArrayEquals(new long[] {6}, b.append(List.of(billing(5))).get(30, TimeUnit.SECONDS));
            assertEquals(6, b.stats().depth());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
                assertTrue(rs.next());
                assertEquals(Schema.VERSION, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE 'readings%'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "the old table and its index are gone");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(count) FROM segments")) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1), "rows committed together share a segment: {1, 2}, {3, 4, 5}, and the new {6}");
                assertEquals(6, rs.getInt(2));
            }
        }
        flipBodyByte(db(), 3);
        flipBodyByte(db(), 6);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(List.of(1L, 2L, 4L, 5L), seqs(b), "old and new rows alike are checked");
        }
    }

    @Test
    void schemaVersion2_keepsItsRowsWhileAnUpdateIsOnTrial_andIsPackedAtTheNextOrdinaryOpen() throws Exception {
        legacyFile(db(), 2, 20, -1);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()).keepingLayout(), ENCODER, Clock.systemUTC())) {
            assertArrayEquals(new long[] {21, 22}, b.append(billing(20, 2)).get(30, TimeUnit.SECONDS));
            b.confirm(new long[] {1, 2});
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(20, seqs(b).size());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            assertEquals(Schema.ROWS_VERSION, Schema.versionOf(c), "the previous release can still read it");
            try (ResultSet rs = s.executeQuery("SELECT count(*), max(seq) FROM readings")) {
                assertTrue(rs.next());
                assertEquals(20, rs.getInt(1));
                assertEquals(22, rs.getInt(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE 'segments%'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "no segments table in it");
            }
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(20, seqs(b).size());
            assertEquals(20, b.stats().depth());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            assertEquals(Schema.VERSION, Schema.versionOf(c));
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()).keepingLayout(), ENCODER, Clock.systemUTC())) {
            assertEquals(20, seqs(b).size(), "a packed file stays packed (the release before read it)");
        }
    }

    @Test
    void schemaVersion1_onTrial_keepsItsRows_andSendsThoseWithoutAChecksumUnchecked() throws Exception {
        legacyFile(db(), 1, 20, -1);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()).keepingLayout(), ENCODER, Clock.systemUTC())) {
            assertEquals(20, seqs(b).size(), "read, not dead-lettered");
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(0, b.stats().deadLetters());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            assertEquals(Schema.ROWS_VERSION, Schema.versionOf(c));
        }
    }

    @Test
    void aNewBufferOfAReleaseOnTrial_hasARowPerReading() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()).keepingLayout(), ENCODER, Clock.systemUTC())) {
            b.append(billing(0, 5)).get(30, TimeUnit.SECONDS);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            assertEquals(Schema.ROWS_VERSION, Schema.versionOf(c));
        }
    }

    @Test
    void schemaVersion2_aRowWithAPriorityOutOfRange_isPackedAsNormal_theOthersUntouched() throws Exception {
        legacyFile(db(), 2, 100, -1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE readings SET priority = 200 WHERE seq = 50");
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, 1000, Integer.MAX_VALUE);
            assertEquals(100, rows.size());
            assertEquals(io.meterlink.core.api.Priority.NORMAL.ordinal(), rows.get(49).priority());
            assertEquals(0, b.stats().deadLetters());
        }
    }

    @Test
    void schemaVersion2_migrates_aRowFailingItsChecksumIsDeadLettered_countsRecounted() throws Exception {
        legacyFile(db(), 2, 20, 7);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(19, seqs(b).size());
            assertFalse(seqs(b).contains(7L));
            BufferStats s = b.stats();
            assertEquals(19, s.depth());
            assertEquals(19L * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES), s.bytes());
            assertEquals(1, s.deadLetters());
            assertEquals(Map.of(Schema.REASON_CHECKSUM_MISMATCH, 1L), s.storage().deadLettersByReason());
            assertEquals(20, b.highestCommittedSeq());
            b.confirm(new long[] {1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
            b.flush().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(4L, 5L, 6L), seqs(b));
            assertEquals(3, b.stats().depth());
        }
    }

    @Test
    void convertForOlderRelease_writesTheSchema2Layout_checksumsKept_aDamagedReadingDeadLettered_andPacksAgainAtTheNextOpen() throws Exception {
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            b.append(billing(0, 300)).get(30, TimeUnit.SECONDS);
            b.append(List.of(TestReadings.diagnostic(7), TestReadings.normal(8))).get(30, TimeUnit.SECONDS);
            b.confirm(new long[] {1, 2, 3, 200});
            b.flush().get(30, TimeUnit.SECONDS);
        }
        flipBodyByte(db(), 100);
        // a schema 2 release that was refused the file has created its empty table in it (as 658c9aa does)
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                    + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER)");
            s.executeUpdate("CREATE INDEX readings_eviction ON readings(priority, seq, size)");
        }
        assertTrue(SqliteBuffer.convertForOlderRelease(config(db()), Clock.systemUTC()));
        assertFalse(SqliteBuffer.convertForOlderRelease(config(db()), Clock.systemUTC()), "a schema 2 file is left alone");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            Map<String, Object> meta = Schema.readMeta(c);
            assertEquals(2L, Schema.longOf(meta, Schema.META_SCHEMA_VERSION));
            assertEquals(297L, Schema.longOf(meta, Schema.META_DEPTH));
            assertEquals(297L * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES), Schema.longOf(meta, Schema.META_BYTES));
            assertEquals(1L, Schema.longOf(meta, Schema.META_DEAD_LETTERS));
            try (ResultSet rs = s.executeQuery("SELECT seq, priority, size, body, crc FROM readings ORDER BY seq")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    long seq = rs.getLong(1);
                    byte[] body = rs.getBytes(4);
                    assertEquals(body.length, rs.getInt(3));
                    assertEquals(Checksums.of(seq, body), rs.getLong(5), "seq " + seq + " keeps its checksum");
                    assertEquals(seq == 301 ? 0 : seq == 302 ? 1 : 2, rs.getInt(2));
                }
                assertEquals(297, n);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name LIKE 'segments%'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT seq, reason FROM dead_letter")) {
                assertTrue(rs.next());
                assertEquals(100, rs.getLong(1));
                assertEquals(Schema.REASON_CHECKSUM_MISMATCH, rs.getString(2));
            }
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<Long> seqs = seqs(b);
            assertEquals(297, seqs.size());
            assertFalse(seqs.contains(100L) || seqs.contains(200L) || seqs.contains(1L));
            assertEquals(297, b.stats().depth());
        }
    }

    @Test
    void bufferFiles_areOwnerOnly_whateverTheUmask() throws Exception {
        fill(db(), 3);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            b.append(billing(3, 2)).get(30, TimeUnit.SECONDS);
            for (String suffix : new String[] {"", "-wal", "-shm", ".seq", ".lock", ".alarms"}) {
                Path f = DatabaseFiles.sibling(db(), suffix);
                assertTrue(Files.exists(f), f::toString);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f::toString);
            }
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(DatabaseFiles.cleanMarker(db()))));
    }

    @Test
    void olderFiles_withWiderModes_areTightenedAtOpen() throws Exception {
        fill(db(), 1);
        Files.setPosixFilePermissions(db(), PosixFilePermissions.fromString("rw-r--r--"));
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db())));
        }
    }

    @Test
    void salvage_copiesEveryValidReading_keepingSeqs_skipsBadOnes_andIsIdempotent() throws Exception {
        Path old = dir.resolve("old").resolve("buffer.db");
        Files.createDirectories(old.getParent());
        fill(old, 50);
        flipBodyByte(old, 17);
        Path quarantined = dir.resolve("buffer.db.corrupt-20261206T000000Z");
        Files.move(old, quarantined);
        // the live buffer: numbering continued above the old file (as the seq sidecar guarantees)
        BufferConfig live = config(db());
        try (SqliteBuffer b = SqliteBuffer.open(live, ENCODER, Clock.systemUTC())) {
            b.append(billing(0, 1)).get(30, TimeUnit.SECONDS);
        }
        // the live buffer's first seq is 1 as well here (no shared sidecar): salvage must not overwrite it
        BufferSalvage.Result r = BufferSalvage.salvage(quarantined, live, Clock.systemUTC());
        assertEquals(50, r.found());
        assertEquals(1, r.checksumMismatch());
        assertEquals(1, r.duplicates(), "seq 1 is already live: kept as it is");
        assertEquals(48, r.salvaged());
        assertEquals(0, r.unreadable());
        try (SqliteBuffer b = SqliteBuffer.open(live, ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, 1000, Integer.MAX_VALUE);
            assertEquals(49, rows.size());
            assertFalse(rows.stream().anyMatch(x -> x.seq() == 17));
            for (StoredReading x : rows) {
                assertEquals(x.seq(), TestReadings.seqOf(x.body()), "each body keeps its own seq");
            }
            assertEquals(49, b.stats().depth());
            assertEquals(50, b.highestCommittedSeq());
        }
        BufferSalvage.Result again = BufferSalvage.salvage(quarantined, live, Clock.systemUTC());
        assertEquals(0, again.salvaged());
        assertEquals(49, again.duplicates());
    }

    @Test
    void salvage_ofAFileQuarantinedByAnOlderGateway_readsItsRows() throws Exception {
        Path old = dir.resolve("buffer.db.corrupt-20261206T000000Z");
        legacyFile(old, 2, 30, 11);
        BufferSalvage.Result r = BufferSalvage.salvage(old, config(db()), Clock.systemUTC());
        assertEquals(new BufferSalvage.Result(30, 29, 0, 1, 0, 0), r);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            List<StoredReading> rows = b.read(0, 1000, Integer.MAX_VALUE);
            assertEquals(29, rows.size());
            for (StoredReading x : rows) {
                assertEquals(x.seq(), TestReadings.seqOf(x.body()));
                assertEquals(x.seq() % 3, x.priority());
            }
        }
    }

    @Test
    void salvage_ofATruncatedFile_copiesTheReadableRows() throws Exception {
        Path old = dir.resolve("old").resolve("buffer.db");
        Files.createDirectories(old.getParent());
        try (SqliteBuffer b = SqliteBuffer.open(config(old), ENCODER, Clock.systemUTC())) {
            for (int i = 0; i < 10; i++) {
                b.append(billing(i * 1000, 1000)).get(30, TimeUnit.SECONDS);
            }
        }
        long size = Files.size(old);
        try (var ch = java.nio.channels.FileChannel.open(old, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        BufferSalvage.Result r = BufferSalvage.salvage(old, config(db()), Clock.systemUTC());
        assertTrue(r.salvaged() > 1000, r::toString);
        assertEquals(r.found(), r.salvaged() + r.duplicates() + r.checksumMismatch() + r.unreadable(), r::toString);
    }

    @Test
    void salvage_refusesTheLiveFileAndNonSqliteFiles() throws Exception {
        fill(db(), 1);
        assertThrows(NotABufferException.class, () -> BufferSalvage.salvage(db(), config(db()), Clock.systemUTC()));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a database at all, just some words here");
        assertThrows(NotABufferException.class, () -> BufferSalvage.salvage(text, config(db()), Clock.systemUTC()));
    }
}
