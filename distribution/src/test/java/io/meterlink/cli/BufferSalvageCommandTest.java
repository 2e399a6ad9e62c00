package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code meterlink buffer salvage} on real SQLite files. */
class BufferSalvageCommandTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        Services services = new Services() {
            @Override public GatewayConfig loadConfig(Path file) throws io.meterlink.core.api.config.ConfigException {
                return ConfigLoader.load(file);
            }
            @Override public Gateway start(GatewayConfig config) { throw new AssertionError(); }
            @Override public BufferStats inspectBuffer(Path database) { return SqliteBuffer.inspect(database); }
            @Override public void awaitStopRequest() { }
        };
        return Main.commandLine(services, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static byte[] body(long seq) {
        return ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void fill(Path db, int count) throws Exception {
        MeterId meter = MeterId.of("wmbus", "KAM", "12345678");
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            readings.add(Reading.of(meter, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(i), null, Instant.parse("2026-01-01T00:00:00Z")));
        }
        try (SqliteBuffer b = SqliteBuffer.open(BufferConfig.defaults(db), (seq, r) -> body(seq), Clock.systemUTC())) {
            b.append(readings).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void salvage_copiesTheReadingsIntoTheLiveBuffer_andPrintsCountsAsJson() throws Exception {
        Path state = dir.resolve("state");
        Path old = dir.resolve("old/buffer.db");
        Files.createDirectories(old.getParent());
        fill(old, 20);
        Path quarantined = state.resolve("buffer.db.corrupt-20261206T000000Z");
        Files.createDirectories(state);
        Files.move(old, quarantined);
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n", "gateway_id: gw-7", "state_dir: " + state,
                "uplink:", "  url: tcp://127.0.0.1:1883", "  allow_insecure: true", ""));

        assertEquals(0, run("buffer", "salvage", quarantined.toString(), "--config", cfg.toString()), err::toString);
        JsonNode j = BufferReport.JSON.readTree(out.toString().trim());
        assertEquals(20, j.get("found").asLong());
        assertEquals(20, j.get("salvaged").asLong());
        assertEquals(0, j.get("skipped_checksum_mismatch").asLong());

        try (SqliteBuffer live = SqliteBuffer.open(BufferConfig.defaults(state.resolve("buffer.db")), (s, r) -> body(s), Clock.systemUTC())) {
            List<StoredReading> rows = live.read(0, 100, Integer.MAX_VALUE);
            assertEquals(20, rows.size());
            for (StoredReading r : rows) assertArrayEquals(body(r.seq()), r.body());
        }
        out.getBuffer().setLength(0);
        assertEquals(0, run("buffer", "salvage", quarantined.toString(), "--config", cfg.toString()), err::toString);
        JsonNode again = BufferReport.JSON.readTree(out.toString().trim());
        assertEquals(0, again.get("salvaged").asLong());
        assertEquals(20, again.get("skipped_duplicate").asLong());
    }

    @Test
    void salvage_duringAnUpdatesTrial_leavesTheLiveBufferInTheLayoutThePreviousReleaseReads() throws Exception {
        Path state = dir.resolve("state");
        Path quarantined = state.resolve("buffer.db.corrupt-20261206T000000Z");
        Files.createDirectories(state);
        fill(quarantined, 20);
        Path releases = Files.createDirectories(state.resolve("releases"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("2.0"));
        Files.writeString(releases.resolve("pending"), "version=2.0\nprevious=1.0\n");
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n", "gateway_id: gw-7", "state_dir: " + state,
                "uplink:", "  url: tcp://127.0.0.1:1883", "  allow_insecure: true", ""));

        assertEquals(0, run("buffer", "salvage", quarantined.toString(), "--config", cfg.toString()), err::toString);
        assertEquals(20, BufferReport.JSON.readTree(out.toString().trim()).get("salvaged").asLong());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("buffer.db"));
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT (SELECT value FROM meta WHERE key = 'schema_version'), count(*) FROM readings")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getLong(1), "a row per reading, as the release on trial keeps it");
            assertEquals(20, rs.getLong(2));
        }
    }

    @Test
    void salvage_ofAFileThatIsNoDatabase_exitsTwo_andLeavesItAlone() throws Exception {
        Path key = dir.resolve("gateway.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n", "gateway_id: gw-7", "state_dir: " + dir.resolve("state"),
                "uplink:", "  url: tcp://127.0.0.1:1883", "  allow_insecure: true", ""));
        assertEquals(2, run("buffer", "salvage", key.toString(), "--config", cfg.toString()));
        assertTrue(err.toString().contains("not an SQLite database"), err::toString);
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    }
}
