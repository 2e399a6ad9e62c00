package io.meterlink.drivers.coap;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop: our {@code coap} driver reads SenML from libcoap's {@code coap-server-openssl} (Debian
 * package libcoap3-bin), an independent CoAP/DTLS implementation on OpenSSL: a dynamic resource
 * created with {@code coap-client-openssl -m put}, polled over plain CoAP with a payload long enough
 * for blockwise transfer, observed over DTLS with a PSK, and observed again after the server
 * restarted (and forgot its observers). Fails when CI=true and the binaries are missing; skips otherwise.
 */
class CoapLibcoapIT {
    private static String server;
    private static String client;

    @TempDir Path tmp;
    private final List<Process> processes = new ArrayList<>();
    private CoapDriver driver;

    @BeforeAll static void findBinaries() {
        server = onPath("coap-server-openssl");
        client = onPath("coap-client-openssl");
        if (server == null || client == null) {
            if (io.meterlink.drivers.testing.Ci.active()) fail("coap-server-openssl/coap-client-openssl missing: install the Debian package libcoap3-bin");
            assumeTrue(false, "libcoap3-bin not installed: CoAP interop test skipped");
        }
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        return null;
    }

    @AfterEach void stop() {
        if (driver != null) driver.close();
        processes.forEach(Process::destroyForcibly);
    }

    /** A free UDP port whose successor (libcoap's DTLS port) is free too. */
    private static int freePorts() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket a = new DatagramSocket(0)) {
                int p = a.getLocalPort();
                if (p >= 65535) continue;
                try (DatagramSocket b = new DatagramSocket(p + 1)) {
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no two adjacent free UDP ports");
    }

    private void startServer(int port) throws Exception {
        Process p = new ProcessBuilder(server, "-A", "127.0.0.1", "-p", Integer.toString(port), "-d", "4", "-k", "interop-key-12", "-h", "meter")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("server-" + processes.size() + ".log").toFile()).start();
        processes.add(p);
        // bound, as the kernel's socket table shows it (probing with a bind of our own could take the port from it)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!udpBound(port)) {
            assertTrue(p.isAlive(), "coap-server-openssl started");
            assertTrue(System.nanoTime() < deadline, "coap-server-openssl bound udp port " + port);
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "coap-server-openssl started");
    }

    /** Whether a UDP socket is bound to 127.0.0.1:{@code port} ({@code /proc/net/udp}: local address {@code 0100007F:PORT} in hex). */
    private static boolean udpBound(int port) throws IOException {
        String local = String.format("0100007F:%04X", port);
        return Files.readAllLines(Path.of("/proc/net/udp")).stream().skip(1)
                .map(row -> row.trim().split("\\s+"))
                .anyMatch(f -> f.length > 1 && f[1].equals(local));
    }

    /** Creates or replaces the meter's resource with {@code pack} through libcoap's own client (block1 when long). */
    private void put(int port, String pack) throws Exception {
        Path f = tmp.resolve("pack.json");
        Files.writeString(f, pack);
        Process p = new ProcessBuilder(client, "-m", "put", "-t", "110", "-b", "512", "-f", f.toString(), "coap://127.0.0.1:" + port + "/meter")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "coap-client put finished");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String pack(String energyWh, int padding) {
        StringBuilder b = new StringBuilder("[{\"bn\":\"urn:dev:mac:0024befffe804ff1:\",\"bu\":\"Wh\",\"n\":\"energy\",\"s\":" + energyWh + "}");
        for (int i = 0; i < padding; i++) b.append(",{\"n\":\"label").append(i).append("\",\"vs\":\"padding to make the pack long\"}");
        return b.append(",{\"n\":\"power\",\"u\":\"W\",\"v\":230}]").toString();
    }

    private CoapDriver start(Recording r, Map<String, Object> meter) {
        Map<String, Object> m = new HashMap<>();
        m.put("timeout", "5s");
        m.put("meters", List.of(meter));
        MapSettings s = new MapSettings(m);
        CoapDriverConfig c = CoapDriverFactory.read(s);
        assertNotNull(c, s.errors().toString());
        driver = new CoapDriver(c, r);
        driver.start();
        return driver;
    }

    private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static boolean energy(Recording r, String wh) {
        for (Reading x : r.readings) if (x.quantity() == Quantity.ENERGY && x.value().compareTo(new BigDecimal(wh)) == 0) return true;
        return false;
    }

    @Test
    void poll_plainCoap_longPackThroughBlockwise() throws Exception {
        int port = freePorts();
        startServer(port);
        String pack = pack("1234.5", 80);
        assertTrue(pack.length() > 4000, "long enough for several blocks");
        put(port, pack);
        Recording r = new Recording(Clock.systemUTC());
        start(r, Map.of("id", "flat-1", "uri", "coap://127.0.0.1:" + port + "/meter", "mode", "poll", "interval", "1s"));
        await(() -> energy(r, "1234.5"), Duration.ofSeconds(15), "the energy register from the long pack");
        assertTrue(r.readings.stream().anyMatch(x -> x.quantity() == Quantity.POWER && x.value().compareTo(BigDecimal.valueOf(230)) == 0));
        assertTrue(r.bad.isEmpty(), r.toString());
        assertEquals("coap:senml:flat-1", r.readings.get(0).meter().toString());
    }

    @Test
    void observe_dtlsPsk_notifications_andReRegistrationAfterMeterRestart() throws Exception {
        int port = freePorts();
        startServer(port);
        put(port, pack("100", 0));
        Path psk = tmp.resolve("meter.psk");
        Files.writeString(psk, "interop-key-12\n");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
        Recording r = new Recording(Clock.systemUTC());
        Map<String, Object> meter = new HashMap<>();
        meter.put("id", "flat-2");
        meter.put("uri", "coaps://127.0.0.1:" + (port + 1) + "/meter");
        meter.put("mode", "observe");
        meter.put("interval", "1s");
        meter.put("reregister_after", "3s");
        meter.put("min_gap", "0s");
        meter.put("psk_identity", "gateway");
        meter.put("psk_file", psk.toString());
        start(r, meter);
        await(() -> energy(r, "100"), Duration.ofSeconds(15), "the first answer over DTLS");
        put(port, pack("101", 0));
        await(() -> energy(r, "101"), Duration.ofSeconds(10), "a notification after the resource changed");

        // the meter restarts: its observers are gone; the driver hears nothing and registers again
        Process old = processes.remove(0);
        old.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        startServer(port);
        put(port, pack("250", 0));
        await(() -> energy(r, "250"), Duration.ofSeconds(30), "the value after the meter restarted (re-registered)");
        put(port, pack("251", 0));
        await(() -> energy(r, "251"), Duration.ofSeconds(10), "notifications on the new registration");
        assertTrue(r.transportErrors.stream().anyMatch(e -> e.contains("registering again")), r.transportErrors.toString());
    }

    @Test
    void pskFileReadableByOthers_isRefusedByConfiguration() throws Exception {
        Path psk = tmp.resolve("open.psk");
        Files.writeString(psk, "interop-key-12");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, Object> meter = Map.of("id", "x", "uri", "coaps://127.0.0.1:5684/m", "psk_identity", "g", "psk_file", psk.toString());
        MapSettings s = new MapSettings(Map.of("meters", List.of(meter)));
        assertEquals(null, CoapDriverFactory.read(s));
        assertTrue(s.errors().toString().contains("psk_file"), s.errors().toString());
        assertTrue(s.errors().stream().noneMatch(e -> e.contains("interop-key-12")), "the key is never echoed");
    }
}
