package io.meterlink.sim.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.bench.ClientTls;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.faults.SmallFileSystem;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 9: the real gateway (a child JVM) with its buffer on a real, small file system (a tmpfs the
 * test mounts: root) that fills to the last byte while the broker (a real Mosquitto) is away. The
 * gateway stops accepting (its meters are no longer polled: back-pressure), raises
 * {@code storage_full} (seen by {@code meterlink buffer stats}), clears it once space is back, and
 * every reading the meters produced, before, during and after, reaches the broker.
 */
class StorageFaultIT {
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUEUE = 40;

    @TempDir
    Path dir;

    /** Mounting needs root: fails under CI=true when impossible, else skips with the reason. */
    static SmallFileSystem mountOrSkip(Path at, long bytes) {
        try {
            return SmallFileSystem.mount(at, bytes);
        } catch (IOException e) {
            String msg = "cannot mount a small tmpfs for the storage-fault test (needs root): " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) fail(msg);
            Assumptions.abort(msg);
            return null;
        }
    }

    private static List<String> alarms(Path jar, Path config) throws Exception {
        GatewayProcess.CliResult stats = GatewayProcess.cli(jar, LONG, "buffer", "stats", "--config", config.toString(), "--json");
        if (stats.exitCode() != 0) return List.of("unreadable: " + stats.stderr());
        List<String> out = new ArrayList<>();
        JSON.readTree(stats.stdout()).path("alarms").forEach(a -> out.add(a.asText()));
        return out;
    }

    @Test
    void fullDisk_holdsReadings_alarmRaisedAndCleared_everyReadingDelivered() throws Exception {
        requireTools();
        try (CrashFixture f = new CrashFixture(dir);
             SmallFileSystem fs = mountOrSkip(dir.resolve("state"), 8L << 20);
             // a persistent session: the broker queues the readings for it across its own restart
             HeadEnd headEnd = new HeadEnd(f.broker.url(), null, null, ClientTls.mutual(f.pki, f.pki.issueClient("headend")),
                     "meterlink/v1", Clock.systemUTC(), true)) {
            TcpMbusSlaveServer line = f.line(16, 40_000_000);
            Path db = fs.dir().resolve("buffer.db");
            Path config = f.config("gw-full", db)
                    .bufferKey("queue_capacity", Integer.toString(QUEUE))
                    .bufferKey("min_free_disk_percent", "0")
                    .bufferKey("commit_interval", "50ms")
                    .mbusTcpSource("line", "127.0.0.1", line.port(), "1s", CrashFixture.addresses(16))
                    .writeTo(dir.resolve("meterlink.yaml"));
            try (GatewayProcess g = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway.log"))) {
                assertTrue(CrashFixture.await(LONG, () -> g.acceptedCount() >= 100 || !g.isAlive()), g.logTail(40));
                assertTrue(g.isAlive(), g.logTail(40));

                // the broker goes away (nothing is confirmed: the buffer must grow) and the disk fills
                f.broker.stop();
                long filler = fs.fill();
                assertTrue(fs.usable() < 64 * 1024, "the file system is full: " + fs.usable() + " bytes free");
                assertTrue(CrashFixture.await(LONG, () -> {
                    try {
                        return alarms(f.jar, config).contains("storage_full");
                    } catch (Exception e) {
                        return false;
                    }
                }), "storage_full in buffer stats; " + g.logTail(30));

                // back-pressure: once the bounded queue is full the driver blocks, so the meters are no longer
                // polled and nothing more is accepted; what was read but not stored waits in memory
                long[] lastGenerated = {-1};
                assertTrue(CrashFixture.await(LONG, () -> {
                    long now = f.generatedReadings();
                    boolean still = now == lastGenerated[0];
                    lastGenerated[0] = now;
                    if (!still) sleepQuietly(3_000);
                    return still;
                }), "polling stops (back-pressure)");
                long accepted = g.acceptedCount();
                long generated = f.generatedReadings();
                Thread.sleep(3_000);
                assertEquals(accepted, g.acceptedCount(), "nothing is accepted while the disk is full");
                assertEquals(generated, f.generatedReadings(), "the meters are not polled while the queue is full");
                assertTrue(g.isAlive(), "the gateway stays up\n" + g.logTail(30));
                long held = generated - accepted;
                System.out.printf("gw-full: filler %d KiB; accepted %d, generated %d: %d held in memory (queue %d)%n",
                        filler / 1024, accepted, generated, held, QUEUE);
                assertTrue(held > 0 && held <= QUEUE + 16 * 20, "a bounded number of readings is held: " + held);

                // space and broker come back: the alarm clears, the held readings and every new one are accepted
                fs.free();
                f.broker.start();
                assertTrue(CrashFixture.await(LONG, () -> {
                    try {
                        return alarms(f.jar, config).stream().noneMatch(a -> a.startsWith("storage_"));
                    } catch (Exception e) {
                        return false;
                    }
                }), "storage_full cleared; " + g.logTail(30));
                assertTrue(CrashFixture.await(LONG, () -> g.acceptedCount() >= generated + 200), "accepting again\n" + g.logTail(30));

                f.stopLines();
                Thread.sleep(1_000);
                Set<Long> all = CrashFixture.seqs(g.acceptedRanges());
                assertTrue(CrashFixture.await(LONG, () -> missing(headEnd, all).isEmpty()),
                        "every accepted reading delivered; missing " + missing(headEnd, all).stream().limit(10).toList()
                                + " of " + all.size() + "\n" + g.logTail(60));
                Verdict v = headEnd.verdict(f.generated());
                System.out.printf("gw-full: generated %d, delivered %d, lost %d, duplicates by measurement %d%n",
                        v.generated(), v.delivered(), v.lost(), v.duplicatesByMeasurement());
                assertEquals(0, v.lost(), "every reading the meters produced reached the broker");
                assertEquals(0, v.duplicatesByMeasurement());
                assertEquals(0, g.stop(Duration.ofSeconds(60)), "clean exit after SIGTERM");
            }
        }
    }

    private static List<String> missing(HeadEnd headEnd, Set<Long> accepted) {
        Set<String> seen = headEnd.seenSeqs();
        return accepted.stream().map(s -> "gw-full#" + s).filter(k -> !seen.contains(k)).toList();
    }

    private static void requireTools() {
        CrashFixture.requireMosquitto();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
