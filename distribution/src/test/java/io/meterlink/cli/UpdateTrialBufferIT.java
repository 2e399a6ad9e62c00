package io.meterlink.cli;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The buffer across an update and its rollback (docs/fleet.md), with the real packaged jar: a release
 * on trial keeps the row-per-reading file of the release before it, so the rollback (here the release
 * rolling itself back, no broker answering) hands that release a file it reads; a confirmed release
 * packs it at its next start; {@code run --rollback-buffer} (before a downgrade by hand) unpacks it.
 */
class UpdateTrialBufferIT {

    @TempDir Path dir;

    /** A configuration whose broker never answers, and its buffer: 300 readings in a row-per-reading file, three confirmed. */
    private Path rowBuffer() throws Exception {
        assertTrue(Files.isRegularFile(ClassDataSharingIT.JAR), "package the jar first (mvn verify)");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, String.join("\n",
                "gateway_id: gw-1",
                "state_dir: " + dir.resolve("state"),
                "uplink: {url: 'tcp://127.0.0.1:1', allow_insecure: true}",
                ""));
        Files.createDirectories(db().getParent());
        MeterId m = MeterId.of("mbus:KAM:12345678");
        try (SqliteBuffer buffer = SqliteBuffer.open(BufferConfig.defaults(db()).keepingLayout(),
                (seq, r) -> ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8), Clock.systemUTC())) {
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                readings.add(Reading.of(m, i % 2 == 0 ? Quantity.VOLUME : Quantity.POWER, i % 2 == 0 ? Unit.M3 : Unit.W,
                        BigDecimal.valueOf(i), null, Instant.now()));
            }
            buffer.append(readings).get(30, TimeUnit.SECONDS);
            buffer.confirm(new long[] {1, 2, 150});
            buffer.flush().get(30, TimeUnit.SECONDS);
        }
        assertEquals(2, schemaOf(db()));
        return config;
    }

    private Path db() {
        return dir.resolve("state/buffer.db");
    }

    private static ClassDataSharingIT.Result jar(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ClassDataSharingIT.JAR.toString()));
        cmd.addAll(List.of(args));
        return ClassDataSharingIT.run(cmd, List.of());
    }

    @Test
    void aReleaseOnTrial_keepsTheRowsThePreviousReleaseReads_andARollbackFindsThem() throws Exception {
        Path config = rowBuffer();
        Path releases = Files.createDirectories(dir.resolve("state/releases"));
        Files.createDirectories(releases.resolve("1.0"));
        Files.createDirectories(releases.resolve("2.0"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("2.0"));
        Files.writeString(releases.resolve("pending"), "version=2.0\nprevious=1.0\n");

        ClassDataSharingIT.Result r = jar("run", "--config", config.toString(), "--update-health-timeout", "1");
        assertEquals(Main.RESTART, r.code(), r.stderr());
        assertEquals("1.0", Files.readSymbolicLink(releases.resolve("current")).toString(), "rolled back");
        assertTrue(r.stderr().contains("keeps a row per reading"), r.stderr());
        assertRows(db(), 297);

        // no update on trial any more: the next start packs it, losing nothing
        Files.delete(releases.resolve("current"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("2.0"));
        try (SqliteBuffer buffer = SqliteBuffer.open(BufferConfig.defaults(db()), (seq, x) -> new byte[0], Clock.systemUTC())) {
            assertEquals(297, buffer.read(0, 1000, Integer.MAX_VALUE).size());
        }
        assertEquals(3, schemaOf(db()));

        // before a downgrade by hand
        ClassDataSharingIT.Result back = jar("run", "--config", config.toString(), "--rollback-buffer");
        assertEquals(0, back.code(), back.stderr());
        assertTrue(back.stderr().contains("converted for an older release"), back.stderr());
        assertRows(db(), 297);
    }

    /** Schema 2 with {@code n} readings, 150 and the first two gone. */
    private static void assertRows(Path db, int n) throws Exception {
        assertEquals(2, schemaOf(db), "the row-per-reading layout");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), min(seq), max(seq), sum(seq = 150), count(DISTINCT priority) FROM readings")) {
                assertTrue(rs.next());
                assertEquals(n, rs.getLong(1));
                assertEquals(3, rs.getLong(2));
                assertEquals(300, rs.getLong(3));
                assertEquals(0, rs.getLong(4), "a confirmed reading stays gone");
                assertEquals(2, rs.getLong(5));
            }
            try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'depth'")) {
                assertTrue(rs.next());
                assertEquals(n, rs.getLong(1));
            }
        }
    }

    private static long schemaOf(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }
}
