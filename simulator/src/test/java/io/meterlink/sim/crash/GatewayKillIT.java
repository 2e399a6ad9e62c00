package io.meterlink.sim.crash;

import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.bench.GatewayYaml;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2 §7 item 6: the gateway as a real child JVM, killed with SIGKILL in the middle of a burst
 * of M-Bus readings and restarted on the same buffer. Every reading it traced as accepted reaches
 * the head-end; no measurement arrives under a second seq (duplicates only repeat an already used
 * {@code (gw, seq)}); seqs never repeat across the crash; a SIGTERM afterwards exits 0 with an
 * empty buffer.
 */
class GatewayKillIT {
    private static final String GW = "gw-kill";
    /** Three lines of 60 meters polled every second: readings flow all the time (a burst, not a trickle). */
    private static final int LINES = 3;
    private static final int METERS_PER_LINE = 60;
    private static final int MIN_ACCEPTED = 1_000;
    /** Readings read from the meters but not yet traced as accepted at the moment of the kill. */
    private static final int IN_FLIGHT = 100;
    private static final Duration LONG = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void sigkillMidBurst_thenRestart_everyAcceptedReadingDelivered_noMeasurementUnderTwoSeqs() throws Exception {
        try (CrashFixture f = new CrashFixture(dir)) {
            Path db = dir.resolve("state/buffer.db");
            GatewayYaml yaml = f.config(GW, db);
            for (int i = 0; i < LINES; i++) {
                TcpMbusSlaveServer line = f.line(METERS_PER_LINE, 10_000_000 * (i + 1));
                yaml.mbusTcpSource("line-" + i, "127.0.0.1", line.port(), "1s", CrashFixture.addresses(METERS_PER_LINE));
            }
            Path config = yaml.writeTo(dir.resolve("meterlink.yaml"));

            // run 1: a few seconds of accepted output, then SIGKILL just after a commit, mid-cycle
            List<long[]> run1;
            try (GatewayProcess g1 = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway-1.log"))) {
                // the uplink is publishing too: some readings are delivered but not yet confirmed at the kill
                assertTrue(CrashFixture.await(LONG, () -> (g1.acceptedCount() >= MIN_ACCEPTED && f.headEnd.delivered() >= 200)
                                || !g1.isAlive()), "run 1 accepted and delivered readings\n" + g1.logTail(40));
                assertTrue(g1.isAlive(), "run 1 still running before the kill\n" + g1.logTail(40));
                // kill while the meters have answered readouts that are not yet traced as accepted (mid-burst)
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                long inFlight = 0;
                while (System.nanoTime() < deadline && (inFlight = f.generatedReadings() - g1.acceptedCount()) < IN_FLIGHT) {
                    Thread.sleep(2);
                }
                assertTrue(inFlight >= IN_FLIGHT, "at least " + IN_FLIGHT + " generated readings not yet accepted at the kill, "
                        + "so the kill lands mid-burst: " + inFlight + "\n" + g1.logTail(40));
                g1.kill();
                System.out.printf("SIGKILL with %d generated readings not yet traced as accepted%n", inFlight);
                run1 = g1.acceptedRanges();
            }
            Set<Long> accepted1 = CrashFixture.seqs(run1);
            System.out.printf("run 1: %d readings traced as accepted before SIGKILL (seq %d..%d), %d arrived so far%n",
                    accepted1.size(), min(accepted1), max(accepted1), f.headEnd.delivered());

            // run 2: restart on the same buffer, keep polling, then stop the meters and let it drain
            Set<Long> accepted2;
            int exit;
            try (GatewayProcess g2 = GatewayProcess.start(f.jar, config, List.of("-Xmx128m"), dir.resolve("gateway-2.log"))) {
                assertTrue(CrashFixture.await(LONG, () -> g2.acceptedCount() >= MIN_ACCEPTED || !g2.isAlive()),
                        "run 2 accepted readings\n" + g2.logTail(40));
                Path log2 = dir.resolve("gateway-2.log");
                int mark = logLines(log2).size();
                f.stopLines();
                // the drivers are done once each line's failure is logged: every readout answered before the
                // stop was handed to the buffer before that line (the writer commits it in its next transaction)
                assertTrue(CrashFixture.await(LONG, () -> everyLineFailedAfter(log2, mark) || !g2.isAlive()),
                        "each line's driver reported its closed connection\n" + g2.logTail(40));
                Set<Long> all = new HashSet<>(accepted1);
                boolean drained = CrashFixture.await(LONG, () -> {
                    Set<Long> now = new HashSet<>(accepted1);
                    now.addAll(CrashFixture.seqs(g2.acceptedRanges()));
                    return f.notDelivered(GW, now).isEmpty() && CrashFixture.depth(db) == 0;
                });
                accepted2 = CrashFixture.seqs(g2.acceptedRanges());
                all.addAll(accepted2);
                assertTrue(drained, "drained within " + LONG + "; not delivered: "
                        + f.notDelivered(GW, all).stream().limit(20).toList() + "\n" + g2.logTail(40));
                exit = g2.stop(Duration.ofSeconds(60));
            }

            Set<Long> overlap = new HashSet<>(accepted1);
            overlap.retainAll(accepted2);
            Set<Long> all = new HashSet<>(accepted1);
            all.addAll(accepted2);
            List<String> lostAccepted = f.notDelivered(GW, all);
            Verdict v = f.headEnd.verdict(f.generated());
            BufferStats after = SqliteBuffer.inspect(db);
            System.out.printf("run 2: %d accepted (seq %d..%d); accepted in both runs %d, delivered %d, lost of accepted %d%n",
                    accepted2.size(), min(accepted2), max(accepted2), all.size(), f.headEnd.delivered(), lostAccepted.size());
            System.out.printf("verdict: generated %d, delivered %d, lost (never accepted: in flight at the kill or at the end) %d,"
                            + " duplicates by (gw,seq) %d, duplicates by measurement %d, malformed %d; exit %d, depth after %d%n",
                    v.generated(), v.delivered(), v.lost(), v.duplicatesBySeq(), v.duplicatesByMeasurement(),
                    f.headEnd.malformed(), exit, after.depth());

            assertTrue(accepted1.size() >= MIN_ACCEPTED && accepted2.size() >= MIN_ACCEPTED, "both runs accepted readings");
            assertEquals(Set.of(), overlap, "seqs never repeat across the crash");
            assertEquals(List.of(), lostAccepted, "every accepted reading was delivered");
            assertEquals(0, v.duplicatesByMeasurement(), "no measurement under two seqs beyond what was generated");
            assertEquals(0, f.headEnd.malformed(), "malformed arrivals");
            assertEquals(0, exit, "exit code after SIGTERM");
            assertEquals(0, after.depth(), "buffer left empty");
        }
    }

    /** Whether every {@code line-N} source logged a failed transport after the first {@code mark} lines of the log. */
    private static boolean everyLineFailedAfter(Path log, int mark) {
        List<String> lines = logLines(log);
        for (int i = 0; i < LINES; i++) {
            String prefix = "line-" + i + ": ";
            if (lines.subList(Math.min(mark, lines.size()), lines.size()).stream()
                    .noneMatch(l -> l.contains(prefix) && l.contains(" failed: "))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> logLines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long min(Set<Long> s) { return s.stream().mapToLong(Long::longValue).min().orElse(0); }

    private static long max(Set<Long> s) { return s.stream().mapToLong(Long::longValue).max().orElse(0); }
}
