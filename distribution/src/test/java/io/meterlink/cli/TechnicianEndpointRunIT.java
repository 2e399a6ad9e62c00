package io.meterlink.cli;

import io.meterlink.core.testing.UnreachableBroker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.tech.LocalOpenSignal;
import io.meterlink.provisioning.tech.TechClient;
import io.meterlink.provisioning.tech.TechEndpointConfig;
import io.meterlink.provisioning.tech.TechnicianPsk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged {@code meterlink.jar run} as a child JVM with {@code technician_endpoint} in its
 * configuration: the endpoint is closed at start, opens on the {@code provision open} trigger file,
 * answers {@code status} over CoAPs with the label secret (our TechClient and libcoap's
 * {@code coap-client-openssl}), gives nothing for a wrong PSK, and is unbound after SIGTERM.
 * The libcoap part fails when CI=true and the binary is missing, and is skipped (with a message) otherwise.
 */
class TechnicianEndpointRunIT {
    private static final Path JAR = Path.of("target/meterlink.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private final List<Process> processes = new ArrayList<>();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach void killAll() throws Exception {
        processes.forEach(Process::destroyForcibly);
        for (AutoCloseable c : closeables) c.close();
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out: " + what.get());
            Thread.sleep(100);
        }
    }

    /** The UDP sockets a process holds: its {@code socket:[inode]} descriptors found in {@code /proc/net/udp} and {@code udp6}. */
    private static List<String> udpSocketsOf(long pid) throws IOException {
        java.util.Set<String> udp = new java.util.HashSet<>();
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            Path t = Path.of(table);
            if (!Files.exists(t)) continue;
            for (String row : Files.readAllLines(t).stream().skip(1).toList()) {
                String[] f = row.trim().split("\\s+");
                if (f.length > 9) udp.add(f[9]); // the inode column
            }
        }
        List<String> held = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[") && udp.contains(link.substring(8, link.length() - 1))) held.add(link);
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return held;
    }

    /** The UDP port the endpoint logged when it opened ({@code open on udp /127.0.0.1:N}), or -1. */
    private int loggedPort() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Technician endpoint open on udp \\S*:(\\d+) ").matcher(stderr());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static boolean udpPortFree(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The absolute path of the executable {@code name} on the PATH, or null. */
    static String onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(d, name);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        return null;
    }

    @Test void run_opensOnTheLocalTrigger_answersStatusWithThePsk_andNothingWithAWrongOne() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the jar first (mvn verify)");
        Path state = Files.createDirectories(dir.resolve("state"));
        String secret = new IdentityStore(new StateDir(state), new SecureRandom()).init("gw-tech", false).technicianSecret().reveal();
        java.security.KeyPair utility = io.meterlink.provisioning.bundle.SignedBundle.generate();
        new io.meterlink.provisioning.bundle.SigningKeyPin(new StateDir(state)).pin(utility.getPublic());
        int uid = (Integer) Files.getAttribute(state, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        UnreachableBroker noBroker = UnreachableBroker.start(); // held for the whole test: nobody else can take the port
        closeables.add(noBroker);
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n",
                "gateway_id: gw-tech",
                "state_dir: " + state,
                "uplink:",
                "  url: " + noBroker.url(), // no broker: the gateway buffers, status still answers
                "  allow_insecure: true",
                "technician_endpoint:",
                "  bind: 127.0.0.1",
                "  port: 0", // any free port, read back from the log when it opens
                "  open_window: 2m",
                ""));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                "-jar", JAR.toString(), "run", "--config", cfg.toString(), "--tech-trigger-uid", Integer.toString(uid));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        processes.add(p);
        await(() -> stderr().contains("Technician endpoint closed; opens on"), Duration.ofSeconds(90),
                () -> "technician endpoint not started: " + stderr());
        assertTrue(p.isAlive(), this::stderr);
        TechnicianPsk psk = TechnicianPsk.of(TechEndpointConfig.DEFAULT_IDENTITY, secret.toCharArray());

        // closed: the gateway holds no UDP socket at all
        assertEquals(List.of(), udpSocketsOf(p.pid()), "no UDP socket while closed");
        assertEquals(-1, loggedPort(), "not opened yet: " + stderr());

        LocalOpenSignal signal = new LocalOpenSignal(state, uid, Clock.systemUTC());
        signal.request(); // what 'meterlink provision open' does
        await(() -> !signal.pending(), Duration.ofSeconds(30), () -> "trigger not taken: " + stderr());
        await(() -> loggedPort() > 0, Duration.ofSeconds(30), () -> "endpoint not opened after the trigger: " + stderr());
        int port = loggedPort();
        assertFalse(udpPortFree(port), "the logged port is bound");
        assertEquals(1, udpSocketsOf(p.pid()).size(), "one UDP socket once open");
        InetSocketAddress gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

        try (TechClient c = new TechClient(gateway, psk, Duration.ofSeconds(30), 64 * 1024)) {
            TechClient.Response r = c.status();
            assertTrue(r.success(), r::toString);
            JsonNode n = JSON.readTree(r.body());
            assertEquals("gw-tech", n.get("gw").asText(), r.body());
            assertTrue(n.has("technician_endpoint"), r.body());
            assertTrue(n.get("technician_endpoint").has("open_until"), r.body());
            TechClient.Response meters = c.meters();
            assertTrue(meters.success(), meters::toString);
            assertTrue(JSON.readTree(meters.body()).get("meters").isArray(), meters.body());
            TechClient.Response read = c.read("wmbus:KAM:12345678");
            assertEquals("4.04", read.code(), "no source has heard the meter: " + read);
            TechClient.Response enrol = c.enrol();
            assertEquals("5.03", enrol.code(), "run without --claim-config: " + enrol);
        }

        TechnicianPsk wrong = TechnicianPsk.of(TechEndpointConfig.DEFAULT_IDENTITY, "not-the-label-secret".toCharArray());
        try (TechClient c = new TechClient(gateway, wrong, Duration.ofSeconds(8), 64 * 1024)) {
            assertThrows(IOException.class, c::status, "a wrong PSK gets no answer");
        }

        String libcoap = onPath("coap-client-openssl");
        if (libcoap == null && "true".equalsIgnoreCase(System.getenv("CI"))) fail("coap-client-openssl is missing: install libcoap3-bin");
        if (libcoap != null) {
            String uri = "coaps://127.0.0.1:" + port + "/status";
            String ok = coapClient(libcoap, secret, uri);
            assertEquals("gw-tech", JSON.readTree(ok).get("gw").asText(), ok);

            // POST /bundle from an independent peer: unsigned is refused with its reason, signed is applied
            String bundle = "bundle_version: 1\ngateway_id: gw-tech\nca_certificates: |\n"
                    + ProvisionFixtures.pem(new ProvisionFixtures.Ca("Utility CA").cert).indent(2)
                    + "broker: {url: 'ssl://mqtt.utility.example:8883'}\nsources: []\n";
            Path unsigned = Files.writeString(dir.resolve("unsigned.yaml"), bundle);
            String refused = coapClient(libcoap, secret, "coaps://127.0.0.1:" + port + "/bundle", "post", unsigned);
            assertTrue(refused.contains("unsigned"), refused);
            assertFalse(Files.exists(new StateDir(state).configLink(), LinkOption.NOFOLLOW_LINKS), "nothing applied");
            Path signed = Files.write(dir.resolve("signed.bundle"), io.meterlink.provisioning.bundle.SignedBundle.sign(
                    bundle.getBytes(java.nio.charset.StandardCharsets.UTF_8), utility.getPrivate(), utility.getPublic()));
            String applied = coapClient(libcoap, secret, "coaps://127.0.0.1:" + port + "/bundle", "post", signed);
            assertTrue(applied.contains("version 1"), applied);
            assertTrue(Files.isRegularFile(new StateDir(state).configFile()), "the signed bundle is applied");
            String replayed = coapClient(libcoap, secret, "coaps://127.0.0.1:" + port + "/bundle", "post", signed);
            assertTrue(replayed.contains("replayed"), replayed);

            String bad = coapClient(libcoap, "not-the-label-secret", uri);
            assertFalse(bad.contains("{"), "no response body for a wrong PSK (libcoap logs warnings on stdout): " + bad);
        } else {
            System.out.println("coap-client-openssl not installed (libcoap3-bin): libcoap part skipped");
        }

        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s");
        assertEquals(0, p.exitValue(), this::stderr);
        assertTrue(udpPortFree(port), "the endpoint is unbound after shutdown");
        assertFalse(stderr().contains(secret), "the technician secret never appears in the log");
    }

    private String coapClient(String binary, String key, String uri) throws IOException, InterruptedException {
        return coapClient(binary, key, uri, "get", null);
    }

    /** libcoap's client; with a {@code body} file its content is sent (block-wise when large); stdout and stderr together. */
    private String coapClient(String binary, String key, String uri, String method, Path body) throws IOException, InterruptedException {
        Path out = dir.resolve("coap-" + System.nanoTime() + ".out");
        List<String> args = new ArrayList<>(List.of(binary, "-m", method, "-B", "20", "-u", TechEndpointConfig.DEFAULT_IDENTITY, "-k", key));
        if (body != null) args.addAll(List.of("-f", body.toString()));
        args.add(uri);
        Process c = new ProcessBuilder(args).redirectOutput(out.toFile())
                .redirectError(body != null ? ProcessBuilder.Redirect.appendTo(out.toFile()) : ProcessBuilder.Redirect.DISCARD).start();
        processes.add(c);
        if (!c.waitFor(60, TimeUnit.SECONDS)) fail("coap-client-openssl did not finish within 60 s");
        return Files.readString(out);
    }
}
