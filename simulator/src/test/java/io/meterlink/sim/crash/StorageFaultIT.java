package io.meterlink.sim.crash;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.sim.headend.GatewaySeq;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.faults.SmallFileSystem;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.pki.ClientTls;
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
            if (Ci.active()) fail(msg);
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
            Path config = config(f, "gw-full", db, line);
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
                awaitPollingStops(f);
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

    /**
     * An SD card that fails: ext4 on a loop device mounted {@code errors=remount-ro}; the kernel's
     * error path ({@code /sys/fs/ext4/<dev>/trigger_fs_error}) turns it read-only under the running
     * gateway, as after a write error on a card. {@code mount -o remount,ro} itself is refused while
     * the gateway holds its files open for writing, and after an error the kernel keeps the file
     * system read-only until it is unmounted and checked: so the gateway holds what it read (drivers
     * slowed), raises {@code storage_readonly}, and is stopped; after fsck and a new mount the
     * restarted gateway delivers every accepted reading and every new one.
     */
    @Test
    void readOnlyRemountAfterAnError_holdsReadings_alarmRaised_everyAcceptedReadingDeliveredAfterFsck() throws Exception {
        requireTools();
        Path state = dir.resolve("state");
        Path image = dir.resolve("state.img");
        java.nio.file.Files.createDirectories(state);
        try {
            sh("truncate", "-s", "32M", image.toString());
            sh("mkfs.ext4", "-q", "-F", image.toString());
            sh("mount", "-o", "loop,errors=remount-ro", image.toString(), state.toString());
        } catch (IOException e) {
            String msg = "cannot mount an ext4 loop file system for the read-only test (needs root, loop devices): " + e.getMessage();
            if (Ci.active()) fail(msg);
            Assumptions.abort(msg);
        }
        boolean mounted = true;
        try (CrashFixture f = new CrashFixture(dir);
             HeadEnd headEnd = new HeadEnd(f.broker.url(), null, null, ClientTls.mutual(f.pki, f.pki.issueClient("headend")),
                     "meterlink/v1", Clock.systemUTC(), true)) {
            String device = sh("findmnt", "-n", "-o", "SOURCE", state.toString()).trim();
            Path trigger = Path.of("/sys/fs/ext4", Path.of(device).getFileName().toString(), "trigger_fs_error");
            TcpMbusSlaveServer line = f.line(16, 41_000_000);
            Path db = state.resolve("buffer.db");
            Path config = config(f, "gw-ro", db, line);
            Set<Long> accepted = new java.util.TreeSet<>();
            long heldAtStop;
            try (GatewayProcess g = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway-1.log"))) {
                assertTrue(CrashFixture.await(LONG, () -> g.acceptedCount() >= 100 || !g.isAlive()), g.logTail(40));
                assertTrue(g.isAlive(), g.logTail(40));
                java.nio.file.Files.writeString(trigger, "1"); // the kernel makes the file system read-only
                assertTrue(CrashFixture.await(LONG, () -> g.logTail(400).contains("storage fault: storage_readonly")),
                        "storage_readonly raised\n" + g.logTail(40));
                awaitPollingStops(f);
                long acc = g.acceptedCount();
                Thread.sleep(2_000);
                assertEquals(acc, g.acceptedCount(), "nothing is accepted on a read-only file system");
                assertTrue(g.isAlive(), "the gateway stays up\n" + g.logTail(30));
                heldAtStop = f.generatedReadings() - acc;
                assertTrue(heldAtStop <= QUEUE + 16 * 20, "a bounded number of readings is held: " + heldAtStop);
                accepted.addAll(CrashFixture.seqs(g.acceptedRanges()));
                g.stop(Duration.ofSeconds(60));
            }
            // what the administrator does (or a reboot): unmount, check, mount again
            sh("umount", state.toString());
            mounted = false;
            shAllowing(1, "e2fsck", "-fy", image.toString());
            sh("mount", "-o", "loop,errors=remount-ro", image.toString(), state.toString());
            mounted = true;
            try (GatewayProcess g = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway-2.log"))) {
                long before = f.generatedReadings();
                assertTrue(CrashFixture.await(LONG, () -> g.acceptedCount() >= 100 || !g.isAlive()), g.logTail(40));
                assertTrue(g.isAlive(), g.logTail(40));
                assertTrue(alarms(f.jar, config).stream().noneMatch(a -> a.startsWith("storage_")), "no storage alarm after the fix");
                f.stopLines();
                Thread.sleep(1_000);
                accepted.addAll(CrashFixture.seqs(g.acceptedRanges()));
                assertTrue(CrashFixture.await(LONG, () -> missing(headEnd, "gw-ro", accepted).isEmpty()),
                        "every accepted reading delivered; missing " + missing(headEnd, "gw-ro", accepted).stream().limit(10).toList());
                Verdict v = headEnd.verdict(f.generated());
                System.out.printf("gw-ro: generated %d, delivered %d, not delivered %d (held in memory at the stop: %d),"
                        + " duplicates by measurement %d%n", v.generated(), v.delivered(), v.lost(), heldAtStop, v.duplicatesByMeasurement());
                assertTrue(v.lost() <= heldAtStop, "only readings never accepted (held in memory when stopped) are missing");
                assertTrue(f.generatedReadings() > before, "polled again after the restart");
                assertEquals(0, v.duplicatesByMeasurement());
                assertEquals(0, g.stop(Duration.ofSeconds(60)));
            }
        } finally {
            if (mounted) shAllowing(32, "umount", "-l", state.toString());
        }
    }

    private static String sh(String... command) throws IOException, InterruptedException {
        return shAllowing(0, command);
    }

    /** Runs a command; exit 0 or {@code alsoOk} is success, anything else an IOException with its output. */
    private static String shAllowing(int alsoOk, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0 && rc != alsoOk) throw new IOException(String.join(" ", command) + " exited " + rc + ": " + out.trim());
        return out;
    }

    private static List<String> missing(HeadEnd headEnd, String gw, Set<Long> accepted) {
        Set<GatewaySeq> seen = headEnd.seenSeqs();
        return accepted.stream().map(s -> new GatewaySeq(gw, s)).filter(k -> !seen.contains(k)).map(GatewaySeq::toString).toList();
    }

    private static List<String> missing(HeadEnd headEnd, Set<Long> accepted) {
        Set<GatewaySeq> seen = headEnd.seenSeqs();
        return accepted.stream().map(s -> new GatewaySeq("gw-full", s)).filter(k -> !seen.contains(k)).map(GatewaySeq::toString).toList();
    }

    private static void requireTools() {
        CrashFixture.requireMosquitto();
    }

    /** 16 meters polled every second, a small queue (so back-pressure shows soon), no free-disk eviction. */
    private Path config(CrashFixture f, String gw, Path db, TcpMbusSlaveServer line) throws IOException {
        return f.config(gw, db)
                .bufferKey("queue_capacity", Integer.toString(QUEUE))
                .bufferKey("min_free_disk_percent", "0")
                .bufferKey("commit_interval", "50ms")
                .mbusTcpSource("line", "127.0.0.1", line.port(), "1s", CrashFixture.addresses(16))
                .writeTo(dir.resolve("meterlink.yaml"));
    }

    /** Back-pressure: once the bounded queue is full the driver blocks and the meters are no longer polled. */
    private static void awaitPollingStops(CrashFixture f) throws InterruptedException {
        long[] last = {-1};
        assertTrue(CrashFixture.await(LONG, () -> {
            long now = f.generatedReadings();
            boolean still = now == last[0];
            last[0] = now;
            if (!still) sleepQuietly(3_000);
            return still;
        }), "polling stops (back-pressure)");
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
