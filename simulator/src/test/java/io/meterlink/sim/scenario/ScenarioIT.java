package io.meterlink.sim.scenario;

import io.meterlink.sim.crash.CrashFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code meterlink-sim scenario FILE} end to end against the real gateway jar and a real Mosquitto:
 * a scenario whose latency bound no run can meet exits 1, names that invariant on stderr, and still
 * prints its one JSON line; the invariants that hold are not named.
 */
class ScenarioIT {
    @TempDir
    Path dir;

    @Test
    void impossibleLatencyBound_exits1_namingIt_withOneJsonLine() throws Exception {
        CrashFixture.requireMosquitto();
        Path file = dir.resolve("impossible.yaml");
        Files.writeString(file, """
                name: impossible
                duration: 8s
                drain_timeout: 60s
                meters:
                  - protocol: mbus_tcp
                    count: 5
                    interval: 1s
                invariants:
                  lost: 0
                  min_delivered: 1
                  p99_latency_ms_max: 0     # a reading cannot arrive in no time: poll, commit, publish
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new ScenarioCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute(file.toString(), "--gateway-jar", "../distribution/target/meterlink.jar",
                        "--work-dir", dir.resolve("run").toString());
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);

        assertEquals(1, exit, "exit code\n" + stderr);
        String[] lines = stdout.strip().split("\n");
        assertEquals(1, lines.length, "exactly one line on stdout: " + stdout);
        assertTrue(lines[0].startsWith("{") && lines[0].contains("\"passed\":false"), lines[0]);
        assertTrue(lines[0].contains("\"lost\":0"), lines[0]);
        assertTrue(stderr.contains("invariant failed: p99_latency_ms_max: "), stderr);
        assertFalse(stderr.contains("invariant failed: lost"), stderr);
        assertFalse(stderr.contains("invariant failed: min_delivered"), stderr);
    }

    @Test
    void badFile_exits2_namingLineAndKey() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path file = dir.resolve("bad.yaml");
        try {
            Files.writeString(file, "name: b\nmeters:\n  - protocol: mbus_tcp\n    colour: blue\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int exit = new CommandLine(new ScenarioCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(file.toString());
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(file + ":4: meters[0].colour: unknown key"), err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
