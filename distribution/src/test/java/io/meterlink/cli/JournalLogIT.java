package io.meterlink.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged jar's log lines as a child JVM sees its environment: under systemd ({@code
 * INVOCATION_ID}/{@code JOURNAL_STREAM} set) every line starts with its sd-daemon priority and has
 * no timestamp; run by hand, every record starts with an ISO-8601 timestamp and has no prefix.
 */
class JournalLogIT {
    private static final Path JAR = Path.of("target/meterlink.jar");
    @TempDir Path dir;

    /** Runs the gateway against a closed port (plaintext, so it warns) until it logged a warning; returns stderr's lines. */
    private List<String> runUntilWarned(Map<String, String> extraEnv, String name) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = Files.writeString(dir.resolve(name + ".yaml"), String.join("\n",
                "gateway_id: gw-" + name, "state_dir: " + name, "uplink:", "  url: tcp://127.0.0.1:" + port,
                "  allow_insecure: true", "  backoff_min: 100ms", "  backoff_max: 1s", ""));
        Path err = dir.resolve(name + ".stderr");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", JAR.toString(), "run", "--config", cfg.toString())
                .redirectOutput(dir.resolve(name + ".stdout").toFile()).redirectError(err.toFile());
        pb.environment().remove("INVOCATION_ID");
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(err) && Files.readString(err).contains("WARN ") && Files.readString(err).contains("started"))) {
                if (!p.isAlive() || System.nanoTime() > deadline) fail("no warning logged:\n" + (Files.exists(err) ? Files.readString(err) : ""));
                Thread.sleep(100);
            }
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        return Files.readAllLines(err);
    }

    @Test
    void underSystemd_linesCarryPriorities_andNoTimestamps() throws Exception {
        List<String> lines = runUntilWarned(Map.of("INVOCATION_ID", "0123456789abcdef0123456789abcdef"), "journal");
        for (String line : lines) {
            assertTrue(line.matches("<[3-7]>.*"), "no priority prefix: " + line);
            assertFalse(line.matches("<[3-7]>\\d{4}-\\d{2}-\\d{2}T.*"), "a timestamp the journal would repeat: " + line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("<6>\\[main\\] INFO io\\.meterlink\\.core\\.runtime\\.Gateway - Meterlink .* started.*")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("<4>[") && l.contains(" WARN ")), lines::toString);
        assertEquals(0, lines.stream().filter(l -> l.contains(" WARN ") && !l.startsWith("<4>")).count(), lines::toString);
    }

    @Test
    void byHand_recordsCarryTimestamps_andNoPriorities() throws Exception {
        List<String> lines = runUntilWarned(Map.of(), "hand");
        List<String> records = lines.stream().filter(l -> l.matches(".*\\] (ERROR|WARN|INFO|DEBUG|TRACE) .*")).toList();
        assertFalse(records.isEmpty(), lines::toString);
        for (String line : records) {
            assertTrue(line.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) \\[.*"), "no timestamp: " + line);
        }
        assertTrue(lines.stream().noneMatch(l -> l.matches("<[0-7]>.*")), lines::toString);
    }
}
