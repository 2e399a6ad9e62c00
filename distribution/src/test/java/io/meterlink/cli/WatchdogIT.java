package io.meterlink.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged gateway under a systemd notify socket the test owns (an AF_UNIX datagram socket, as
 * systemd's): {@code READY=1} once the buffer is open and the drivers run, {@code WATCHDOG=1} pings
 * while every loop makes progress, no pings once a driver's loop is stuck (the test driver
 * {@code stuck-test} blocks on a trigger file) while {@code STATUS=} names it, and {@code STOPPING=1}
 * on SIGTERM. {@code WATCHDOG_USEC} is 4 s: a tick every 2 s, a 2 s liveness window.
 */
class WatchdogIT {
    private static final Path JAR = Path.of("target/meterlink.jar");
    private static final long WATCHDOG_USEC = 4_000_000;
    @TempDir Path dir;
    private Process process;

    @AfterEach
    void kill() {
        if (process != null) process.destroyForcibly();
    }

    @Test
    void ready_thenPings_stopWhenADriverLoopIsStuck_stoppingOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the jar first (mvn verify)");
        Path trigger = dir.resolve("stuck-now");
        try (NotifySocket server = new NotifySocket(dir.resolve("notify.sock"))) {
            process = start(config(trigger), server.path());

            String ready = server.await(m -> m.contains("READY=1"), 90, process::isAlive, this::stderr);
            assertTrue(Files.exists(dir.resolve("state/buffer.db")), "READY=1 after the buffer is open");
            assertTrue(ready.contains("STATUS=uplink offline"), ready);

            List<String> healthy = server.collect(10);
            long pings = healthy.stream().filter(m -> m.contains("WATCHDOG=1")).count();
            assertTrue(pings >= 3, "pings every 2 s while all loops make progress: " + healthy);

            Files.writeString(trigger, "block");
            String stuck = server.await(m -> m.contains("STUCK"), 30, process::isAlive, this::stderr);
            assertFalse(stuck.contains("WATCHDOG=1"), stuck);
            assertTrue(stuck.contains("source:stuck"), "the status names the stuck loop: " + stuck);
            List<String> after = server.collect(8);
            assertFalse(after.isEmpty(), "status keeps coming");
            assertTrue(after.stream().noneMatch(m -> m.contains("WATCHDOG=1")), "no pings while a loop is stuck: " + after);
            assertTrue(after.stream().allMatch(m -> m.contains("STUCK")), after.toString());

            process.destroy(); // SIGTERM
            server.await(m -> m.contains("STOPPING=1"), 30, () -> true, this::stderr);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped");
            assertEquals(0, process.exitValue(), stderr());
        }
    }

    private Process start(Path config, Path socketFile) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", JAR + java.io.File.pathSeparator + "target/test-classes", "io.meterlink.cli.Main",
                "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("NOTIFY_SOCKET", socketFile.toString());
        pb.environment().put("WATCHDOG_USEC", Long.toString(WATCHDOG_USEC));
        pb.environment().remove("WATCHDOG_PID");
        return pb.start();
    }

    private Path config(Path trigger) throws Exception {
        return RunCommandIT.devConfig(dir.resolve("gw.yaml"), "gw-watchdog", "state",
                "sources:",
                "  - name: stuck",
                "    driver: stuck-test",
                "    trigger: " + trigger);
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
