package io.meterlink.sim.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.uplink.JsonPayloads;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2 §7 item 7: a buffer file that fails its integrity check at start (garbage written over
 * it, or truncated) is renamed and kept next to it, the alarm {@code database_quarantined} shows in
 * {@code meterlink buffer stats --json}, and the real gateway (a child JVM) carries on: new M-Bus
 * readings are accepted and delivered to the broker.
 */
class CorruptDatabaseIT {
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void garbageOverTheBuffer_isQuarantinedAlarmedAndTheGatewayCarriesOn() throws Exception {
        Path db = dir.resolve("state/buffer.db");
        Files.createDirectories(db.getParent());
        byte[] garbage = new byte[96 * 1024];
        new SecureRandom().nextBytes(garbage);
        // the SQLite header, then garbage: it looks like a database (only such files are ever renamed)
        byte[] header = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, garbage, 0, header.length);
        Files.write(db, garbage);
        long firstSeq = runAndCheck("gw-garbage", db, garbage);
        assertEquals(1, firstSeq, "no seq sidecar existed: the new database numbers from 1");
    }

    @Test
    void truncatedBuffer_isQuarantinedAlarmedAndSeqsContinueAboveTheOldOnes() throws Exception {
        Path db = dir.resolve("state/buffer.db");
        long oldHighest = fill(db, "gw-truncated", 20_000);
        long size = Files.size(db);
        assertTrue(size > 1_000_000, "a database worth truncating: " + size);
        try (FileChannel ch = FileChannel.open(db, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        // as after a crash: no clean-close marker, so the start checks the whole file
        Files.delete(db.resolveSibling(db.getFileName() + ".clean"));
        byte[] truncated = Files.readAllBytes(db);
        long firstSeq = runAndCheck("gw-truncated", db, truncated);
        assertTrue(firstSeq > oldHighest, "seqs continue above the quarantined database's " + oldHighest + ", got " + firstSeq);

        // issue 9: the readable half comes back with meterlink buffer salvage (gateway stopped), keeping its seqs
        Path kept = quarantined(db);
        Path config = dir.resolve("meterlink.yaml");
        GatewayProcess.CliResult salvage = GatewayProcess.cli(GatewayProcess.findJar(List.of(CrashFixture.JAR)), LONG,
                "buffer", "salvage", kept.toString(), "--config", config.toString());
        assertEquals(0, salvage.exitCode(), "buffer salvage: " + salvage.stderr());
        JsonNode counts = JSON.readTree(salvage.stdout());
        System.out.printf("gw-truncated: buffer salvage: %s", salvage.stdout());
        long found = counts.get("found").asLong();
        long salvaged = counts.get("salvaged").asLong();
        assertTrue(salvaged > 1_000, "the readable half is salvaged: " + salvage.stdout());
        assertEquals(found, salvaged + counts.get("skipped_duplicate").asLong() + counts.get("skipped_checksum_mismatch").asLong()
                + counts.get("skipped_unreadable").asLong(), "every seq found is accounted for: " + salvage.stdout());
        assertEquals(0, counts.get("skipped_duplicate").asLong(), "no salvaged seq collides with a new reading");
        try (SqliteBuffer live = SqliteBuffer.open(new BufferConfig(db, 256 * BufferConfig.MIB, 1, Duration.ofMillis(50), 5_000, false, 20_000),
                new JsonPayloads("gw-truncated"), Clock.systemUTC())) {
            List<io.meterlink.core.buffer.StoredReading> rows = live.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE);
            assertTrue(rows.stream().filter(r -> r.seq() <= oldHighest).count() == salvaged, "salvaged rows keep their old seqs");
            for (io.meterlink.core.buffer.StoredReading r : rows) {
                assertTrue(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"seq\":" + r.seq()),
                        "each body carries its own seq");
            }
        }
    }

    @Test
    void bufferPathAtAPrivateKey_isAConfigurationError_theKeyIsNeverRenamed() throws Exception {
        Path key = dir.resolve("state/identity/gateway.key");
        Files.createDirectories(key.getParent());
        String pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, pem);
        try (CrashFixture f = new CrashFixture(dir)) {
            Path config = f.config("gw-key", key).writeTo(dir.resolve("meterlink.yaml"));
            GatewayProcess.CliResult run = GatewayProcess.cli(f.jar, LONG, "run", "--config", config.toString());
            assertEquals(2, run.exitCode(), "exit 2 (configuration: systemd does not restart it): " + run.stderr());
            assertTrue(run.stderr().contains("not an SQLite database"), run.stderr());
        }
        assertEquals(pem, Files.readString(key), "the key is unchanged");
        try (Stream<Path> files = Files.list(key.getParent())) {
            assertEquals(List.of(key), files.toList(), "nothing renamed or created next to it");
        }
    }

    /** Starts the gateway on the corrupt file; checks quarantine, alarm, acceptance and delivery; returns the first accepted seq. */
    private long runAndCheck(String gw, Path db, byte[] corrupt) throws Exception {
        try (CrashFixture f = new CrashFixture(dir)) {
            TcpMbusSlaveServer line = f.line(4, 30_000_000);
            Path config = f.config(gw, db)
                    .mbusTcpSource("line", "127.0.0.1", line.port(), "1s", CrashFixture.addresses(4))
                    .writeTo(dir.resolve("meterlink.yaml"));
            List<long[]> ranges;
            int exit;
            try (GatewayProcess g = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway.log"))) {
                assertTrue(CrashFixture.await(LONG, () -> g.acceptedCount() >= 40 || !g.isAlive()),
                        "the gateway accepts new readings\n" + g.logTail(40));
                assertTrue(g.isAlive(), "the gateway carries on\n" + g.logTail(40));
                Set<Long> accepted = CrashFixture.seqs(g.acceptedRanges());
                assertTrue(CrashFixture.await(LONG, () -> f.notDelivered(gw, accepted).isEmpty()),
                        "accepted readings delivered; missing " + f.notDelivered(gw, accepted).stream().limit(20).toList()
                                + "\n" + g.logTail(40));

                Path kept = quarantined(db);
                assertArrayEquals(corrupt, Files.readAllBytes(kept), "the corrupt file is kept as it was");

                GatewayProcess.CliResult stats = GatewayProcess.cli(f.jar, LONG, "buffer", "stats", "--config", config.toString(), "--json");
                assertEquals(0, stats.exitCode(), "buffer stats: " + stats.stderr());
                JsonNode json = JSON.readTree(stats.stdout());
                List<String> alarms = new ArrayList<>();
                json.path("alarms").forEach(a -> alarms.add(a.asText()));
                assertTrue(alarms.contains("database_quarantined:" + kept.toAbsolutePath()),
                        "alarm raised: " + stats.stdout());
                System.out.printf("%s: quarantined to %s; buffer stats: %s", gw, kept.getFileName(), stats.stdout());
                ranges = g.acceptedRanges();
                exit = g.stop(Duration.ofSeconds(60));
            }
            Verdict v = f.headEnd.verdict(f.generated());
            System.out.printf("%s: accepted %d, delivered %d, duplicates by measurement %d, exit %d%n",
                    gw, CrashFixture.seqs(ranges).size(), v.delivered(), v.duplicatesByMeasurement(), exit);
            assertEquals(0, v.duplicatesByMeasurement());
            assertEquals(0, exit, "exit code after SIGTERM");
            return ranges.get(0)[0];
        }
    }

    private static Path quarantined(Path db) throws Exception {
        try (Stream<Path> files = Files.list(db.getParent())) {
            List<Path> kept = files.filter(p -> p.getFileName().toString().startsWith(db.getFileName() + ".corrupt-")
                    && !p.getFileName().toString().endsWith("-wal") && !p.getFileName().toString().endsWith("-shm")).toList();
            assertEquals(1, kept.size(), "renamed and kept next to the buffer: " + kept);
            return kept.get(0);
        }
    }

    /** A real buffer with {@code n} readings, closed cleanly; returns its highest seq. */
    private static long fill(Path db, String gw, int n) throws Exception {
        BufferConfig cfg = new BufferConfig(db, 256 * BufferConfig.MIB, 1, Duration.ofMillis(50), 5_000, false, 20_000);
        Instant now = Instant.now();
        MeterId meter = MeterId.of("mbus", "KAM", "99999999");
        try (SqliteBuffer b = SqliteBuffer.open(cfg, new JsonPayloads(gw), Clock.systemUTC())) {
            for (int from = 0; from < n; from += 1_000) {
                List<Reading> readings = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 1_000); i++) {
                    readings.add(Reading.of(meter, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(i, 3), now.minusSeconds(n - i), now));
                }
                b.append(readings).join();
            }
            return b.highestCommittedSeq();
        }
    }
}
