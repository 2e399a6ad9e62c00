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

/** Checksums, the schema 1 → 2 migration, file modes and salvage, on real SQLite files. */
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

    /** Flips one byte of a stored body behind the buffer's back (the checksum stays as it was). */
    private static void flipBodyByte(Path file, long seq) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement ps = c.prepareStatement("UPDATE readings SET body = ? WHERE seq = ?")) {
            byte[] body;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body FROM readings WHERE seq = " + seq)) {
                assertTrue(rs.next());
                body = rs.getBytes(1);
            }
            body[body.length / 2] ^= 0x01;
            ps.setBytes(1, body);
            ps.setLong(2, seq);
            assertEquals(1, ps.executeUpdate());
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
    void schemaVersion1_migratesWithoutLoss_oldRowsReadUnchecked_newRowsChecked() throws Exception {
        // a buffer exactly as version 1 wrote it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.executeUpdate("CREATE TABLE readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                    + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL)");
            s.executeUpdate("CREATE INDEX readings_eviction ON readings(priority, seq, size)");
            s.executeUpdate("CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID");
            s.executeUpdate("CREATE TABLE dead_letter(seq INTEGER PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL, body BLOB NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings VALUES (?, 2, 1000, ?, ?)")) {
                for (int i = 1; i <= 5; i++) {
                    byte[] body = ENCODER.encode(i, billing(i - 1));
                    ps.setLong(1, i);
                    ps.setInt(2, body.length);
                    ps.setBytes(3, body);
                    ps.executeUpdate();
                }
            }
            long bytes = 5L * (TestReadings.BODY + Schema.ROW_OVERHEAD_BYTES);
            s.executeUpdate("INSERT INTO meta VALUES ('schema_version', 1), ('created_at', 1), ('seq_hwm', 5), ('depth', 5),"
                    + " ('bytes', " + bytes + "), ('dead_letters', 0), ('evictions.bytes_cap', 0), ('evictions.disk_free', 0)");
        }
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(b), "every old row is still there");
            assertArrayEquals(new long[] {6}, b.append(List.of(billing(5))).get(30, TimeUnit.SECONDS));
            assertEquals(6, b.stats().depth());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
                assertTrue(rs.next());
                assertEquals(Schema.VERSION, rs.getInt(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(crc) FROM readings")) {
                assertTrue(rs.next());
                assertEquals(6, rs.getInt(1));
                assertEquals(1, rs.getInt(2), "only the new row has a checksum");
            }
        }
        flipBodyByte(db(), 6);
        try (SqliteBuffer b = SqliteBuffer.open(config(db()), ENCODER, Clock.systemUTC())) {
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs(b), "the new row is checked");
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
