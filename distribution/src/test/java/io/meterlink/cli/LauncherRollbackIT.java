package io.meterlink.cli;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
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
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher rolling back an update that never confirmed its health (docs/fleet.md): before the
 * previous release starts, the failed release (the real packaged jar) converts the buffer it packed
 * back to the row-per-reading layout an older release reads. The previous release here is a stand-in
 * that prints the arguments it was started with.
 */
class LauncherRollbackIT {

    @TempDir Path dir;

    @Test
    void rollback_convertsTheBufferBackBeforeThePreviousReleaseStarts_keepingEveryReading() throws Exception {
        assertTrue(Files.isRegularFile(ClassDataSharingIT.JAR), "package the jar first (mvn verify)");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, String.join("\n",
                "gateway_id: gw-1",
                "state_dir: " + dir.resolve("state"),
                "uplink: {url: 'tcp://127.0.0.1:1', allow_insecure: true}",
                ""));
        Path db = dir.resolve("state/buffer.db");
        Files.createDirectories(db.getParent());
        MeterId m = MeterId.of("mbus:KAM:12345678");
        try (SqliteBuffer buffer = SqliteBuffer.open(BufferConfig.defaults(db),
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
        assertEquals(3, schemaOf(db));

        Path releases = Files.createDirectories(dir.resolve("releases"));
        Files.createDirectories(releases.resolve("2.0"));
        Files.copy(ClassDataSharingIT.JAR, releases.resolve("2.0/meterlink.jar"));
        previousRelease(Files.createDirectories(releases.resolve("1.0")).resolve("meterlink.jar"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("2.0"));
        Files.writeString(releases.resolve("pending"), "version=2.0\nprevious=1.0\n");
        Files.writeString(releases.resolve("pending.started"), "");

        ClassDataSharingIT.Result r = ClassDataSharingIT.run(List.of("/bin/sh", ClassDataSharingIT.LAUNCHER.toString(),
                "run", "--config", config.toString()),
                List.of("METERLINK_RELEASES=" + releases, "JAVA_HOME=" + System.getProperty("java.home")));
        assertEquals(0, r.code(), r.stderr());
        assertEquals("previous release started with: run --config " + config, r.stdout().strip(), "1.0 ran next, with run's arguments");
        assertTrue(r.stderr().contains("converted for the previous release"), r.stderr());
        assertTrue(r.stderr().contains("back to 1.0"), r.stderr());
        assertEquals("1.0", Files.readSymbolicLink(releases.resolve("current")).toString());

        assertEquals(2, schemaOf(db), "the row-per-reading layout");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), min(seq), max(seq), sum(seq = 150), count(DISTINCT priority) FROM readings")) {
                assertTrue(rs.next());
                assertEquals(297, rs.getLong(1));
                assertEquals(3, rs.getLong(2));
                assertEquals(300, rs.getLong(3));
                assertEquals(0, rs.getLong(4), "a confirmed reading stays gone");
                assertEquals(2, rs.getLong(5));
            }
            try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'depth'")) {
                assertTrue(rs.next());
                assertEquals(297, rs.getLong(1));
            }
        }
        // this release packs it again at its next open, losing nothing
        try (SqliteBuffer buffer = SqliteBuffer.open(BufferConfig.defaults(db), (seq, x) -> new byte[0], Clock.systemUTC())) {
            assertEquals(297, buffer.read(0, 1000, Integer.MAX_VALUE).size());
        }
        assertEquals(3, schemaOf(db));
    }

    private static long schemaOf(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** A jar whose main class ({@link PreviousRelease}, from the test classes) prints its arguments. */
    private static void previousRelease(Path jar) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PreviousRelease.class.getName());
        Path classes = Path.of(PreviousRelease.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
    }

    /** The stand-in previous release. */
    public static final class PreviousRelease {
        public static void main(String[] args) {
            System.out.println("previous release started with: " + String.join(" ", args));
        }
    }
}
