package io.meterlink.sim.modbus;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.sim.testing.Drivers;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** What the Modbus interop ITs share: the independent peers, the driver, waiting. */
final class ModbusPeers {
    private ModbusPeers() {
    }

    /** Debian's python3 with pymodbus; fails under CI=true when missing, else skips. */
    static void requirePymodbus() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean ok = Files.isExecutable(python)
                && new ProcessBuilder(python.toString(), "-c", "import pymodbus").redirectErrorStream(true).start().waitFor() == 0;
        if (ok) return;
        String msg = "python3-pymodbus is not installed (apt-get install python3-pymodbus)";
        if (io.meterlink.drivers.testing.Ci.active()) fail(msg);
        Assumptions.abort(msg);
    }

    /** Starts the pymodbus server script (copied out of the test resources) with its mode and argument. */
    static Process pymodbus(Path dir, String mode, String arg) throws IOException {
        Path script = dir.resolve("pymodbus_server.py");
        if (!Files.exists(script)) {
            try (var in = ModbusPeers.class.getResourceAsStream("/modbus/pymodbus_server.py")) {
                Files.copy(in, script);
            }
        }
        return new ProcessBuilder("/usr/bin/python3", script.toString(), mode, arg)
                .redirectErrorStream(true).redirectOutput(dir.resolve("pymodbus-" + mode + ".log").toFile()).start();
    }

    /**
     * The TCP port a peer started with port 0 listens on: the kernel chose it, so no other process can have
     * taken it in between. Read from {@code /proc/net/tcp} (state {@code 0A}, LISTEN) and the peer's own
     * socket descriptors.
     */
    static int awaitListeningPort(Process p, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            java.util.Set<String> inodes = socketInodes(p.pid());
            for (String table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path t = Path.of(table);
                if (!Files.exists(t)) continue;
                for (String row : Files.readAllLines(t).stream().skip(1).toList()) {
                    String[] f = row.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                        return Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                    }
                }
            }
            assertTrue(p.isAlive(), () -> "server exited: " + read(log));
            assertTrue(System.nanoTime() < end, () -> "server did not listen: " + read(log));
            Thread.sleep(50);
        }
    }

    private static java.util.Set<String> socketInodes(long pid) {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) out.add(link.substring(8, link.length() - 1));
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
        } catch (IOException e) {
            // the process is gone: its liveness is checked by the caller
        }
        return out;
    }

    /**
     * Waits until the peer process holds {@code device} open: one of its file descriptors resolves to the
     * device behind that path (socat's link to {@code /dev/pts/N}), seen in {@code /proc/<pid>/fd}.
     */
    static void awaitOpened(Process p, Path device, Path log) throws Exception {
        Path target = device.toRealPath();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!holds(p.pid(), target)) {
            assertTrue(p.isAlive(), () -> "peer exited: " + read(log));
            assertTrue(System.nanoTime() < end, () -> "peer did not open " + target + ": " + read(log));
            Thread.sleep(50);
        }
    }

    private static boolean holds(long pid, Path target) {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static Driver driver(Map<String, Object> settings, Recording rec) {
        return Drivers.start("modbus", settings, rec);
    }

    static void await(BooleanSupplier done, int seconds, Object state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, () -> "timed out; " + (state instanceof java.util.function.Supplier<?> sup ? sup.get() : state));
            Thread.sleep(50);
        }
    }

    /** The value of the reading of {@code meter} with this quantity and subunit, or {@code null}. */
    static BigDecimal value(Recording rec, String meter, String quantity, String unit, int subunit) {
        for (Reading r : rec.readings) {
            if (r.meter().toString().equals(meter) && r.quantity().wireName().equals(quantity) && r.unit().symbol().equals(unit)
                    && r.subunit() == subunit) {
                return r.value();
            }
        }
        return null;
    }

    static void assertValue(String expected, BigDecimal actual, String what) {
        assertNotNull(actual, what + " not read");
        assertEquals(0, new BigDecimal(expected).compareTo(actual), what + ": " + actual);
    }

    static void kill(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    static Clock clock() { return Clock.systemUTC(); }
}
