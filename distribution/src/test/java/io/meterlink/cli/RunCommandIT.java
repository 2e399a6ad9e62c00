package io.meterlink.cli;

import io.meterlink.core.testing.UnreachableBroker;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged {@code meterlink.jar} as a child JVM: exit codes and a clean stop on SIGTERM. */
class RunCommandIT {
    private static final Path JAR = Path.of("target/meterlink.jar");
    @TempDir Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr.txt"));
    }

    private Path config() throws Exception {
        return devConfig(dir.resolve("gw.yaml"), "gw-run", "state");
    }

    /**
     * The uplink port of every development configuration here: held by this test JVM for its whole
     * life (a port closed again at once could be taken by anyone), dropping every connection before
     * CONNECT, so the gateway runs and keeps reconnecting.
     */
    private static final UnreachableBroker UNREACHABLE_BROKER = UnreachableBroker.start();

    /**
     * Writes a configuration to {@code file} whose uplink points at {@link #UNREACHABLE_BROKER} (plaintext,
     * development flag): the gateway runs and keeps reconnecting. {@code more}: further lines (sources).
     */
    static Path devConfig(Path file, String gatewayId, String stateDir, String... more) throws Exception {
        int port = UNREACHABLE_BROKER.port();
        List<String> lines = new ArrayList<>(List.of(
                "gateway_id: " + gatewayId,
                "state_dir: " + stateDir,
                "uplink:",
                "  url: tcp://127.0.0.1:" + port,
                "  allow_insecure: true",
                "  backoff_min: 100ms",
                "  backoff_max: 1s"));
        lines.addAll(List.of(more));
        lines.add("");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }

    @Test
    void run_stopsCleanlyOnSigterm_withExitZero() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the jar first (mvn verify)");
        Process p = start("run", "--config", config().toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stderr().contains("started: gateway gw-run")) {
            assertTrue(p.isAlive(), () -> "exited early: " + safeStderr());
            assertTrue(System.nanoTime() < deadline, () -> "not started: " + safeStderr());
            Thread.sleep(50);
        }
        assertTrue(stderr().contains("0 source(s)"), this::safeStderr);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s");
        assertEquals(0, p.exitValue(), this::safeStderr);
        assertTrue(stderr().contains("Gateway gw-run stopped"), this::safeStderr);
        assertTrue(Files.exists(dir.resolve("state/buffer.db")));
    }

    @Test
    void configValidate_badFile_exitsTwo_fromTheJar() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "gateway_id: gw\nuplink:\n  url: tcp://x:1\n");
        Process p = start("config", "validate", bad.toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(stderr().contains(bad + ":3: uplink.url: plaintext"), this::safeStderr);
    }

    @Test
    void run_unopenableBuffer_exitsThree() throws Exception {
        Path cfg = config();
        Files.writeString(dir.resolve("state"), "a file where the state directory should be");
        Process p = start("run", "--config", cfg.toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), this::safeStderr);
    }

    private String safeStderr() {
        try {
            return stderr();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
