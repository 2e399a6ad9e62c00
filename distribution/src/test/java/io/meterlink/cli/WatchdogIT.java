package io.meterlink.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        Path socketFile = dir.resolve("notify.sock");
        Path trigger = dir.resolve("stuck-now");
        try (AFUNIXDatagramSocket server = AFUNIXDatagramSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(socketFile));
            server.setSoTimeout(500);
            process = start(config(trigger), socketFile);

            String ready = await(server, m -> m.contains("READY=1"), 90);
            assertTrue(Files.exists(dir.resolve("state/buffer.db")), "READY=1 after the buffer is open");
            assertTrue(ready.contains("STATUS=uplink offline"), ready);

            List<String> healthy = collect(server, 10);
            long pings = healthy.stream().filter(m -> m.contains("WATCHDOG=1")).count();
            assertTrue(pings >= 3, "pings every 2 s while all loops make progress: " + healthy);

            Files.writeString(trigger, "block");
            String stuck = await(server, m -> m.contains("STUCK"), 30);
            assertFalse(stuck.contains("WATCHDOG=1"), stuck);
            assertTrue(stuck.contains("source:stuck"), "the status names the stuck loop: " + stuck);
            List<String> after = collect(server, 8);
            assertFalse(after.isEmpty(), "status keeps coming");
            assertTrue(after.stream().noneMatch(m -> m.contains("WATCHDOG=1")), "no pings while a loop is stuck: " + after);
            assertTrue(after.stream().allMatch(m -> m.contains("STUCK")), after.toString());

            process.destroy(); // SIGTERM
            await(server, m -> m.contains("STOPPING=1"), 30);
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
        return RunCommandIT.devConfig(dir, "gw-watchdog",
                "sources:",
                "  - name: stuck",
                "    driver: stuck-test",
                "    trigger: " + trigger);
    }

    private interface Match {
        boolean test(String message);
    }

    /** The first message matching within {@code seconds}. */
    private String await(AFUNIXDatagramSocket server, Match match, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = receive(server);
            if (m == null) {
                assertTrue(process.isAlive(), () -> "exited: " + stderr());
                continue;
            }
            if (match.test(m)) return m;
            seen.add(m);
        }
        assertNotNull(null, "no matching message within " + seconds + " s; seen " + seen + "\n" + stderr());
        return null;
    }

    /** Every message within {@code seconds}. */
    private List<String> collect(AFUNIXDatagramSocket server, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> out = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = receive(server);
            if (m != null) out.add(m);
        }
        return out;
    }

    private static String receive(AFUNIXDatagramSocket server) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
            server.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
