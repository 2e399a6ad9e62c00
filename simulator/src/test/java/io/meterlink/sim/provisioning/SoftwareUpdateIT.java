package io.meterlink.sim.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.provisioning.command.SignedCommands;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.UpdatePackages;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.LedgerEntry;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.mbus.VirtualMbusSlave;
import io.meterlink.sim.pki.TestPki;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.meterlink.sim.provisioning.ProvisioningFixture.PREFIX;
import static io.meterlink.sim.provisioning.ProvisioningFixture.await;
import static io.meterlink.sim.provisioning.ProvisioningFixture.collector;
import static io.meterlink.sim.provisioning.ProvisioningFixture.meterlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Software updates over the real command channel with the real launcher: the gateway runs as a child
 * process started by {@code distribution/src/main/packaging/meterlink} from {@code releases/current}
 * (the test restarts it after each exit, as systemd's {@code Restart=always} would), enrolled at a real
 * Mosquitto, reading virtual M-Bus meters. A signed update sent in MQTT chunks (with chunks out of order,
 * of the wrong length and repeated on the way) is installed, the gateway restarts into it and it confirms
 * its health; unsigned, wrongly signed and replayed updates, an oversized, a truncated and a
 * hash-mismatched package are refused and change nothing; a signed update whose jar cannot start is rolled
 * back by the launcher at its next start and the previous release reports it. Nothing the meters
 * generated is lost.
 */
class SoftwareUpdateIT {
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final String GW = "gw-update";
    private static final String CLAIM = "batch-update";
    private static final int CHUNK = 512 * 1024;

    @TempDir static Path dir;
    private static TestPki pki;
    private static MosquittoBroker broker;
    private static ProvisioningFixture.Utility utility;
    private static HeadEnd headEnd;
    private static TestPki.Issued headEndCert;
    private static TcpMbusSlaveServer line;
    private static final List<VirtualMbusSlave> slaves = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    private MqttAsyncClient he;
    private long seq;

    @BeforeAll
    static void start() throws Exception {
        utility = ProvisioningFixture.Utility.start(dir, CLAIM, GW, b -> b, true);
        pki = utility.pki();
        broker = utility.broker();
        headEnd = utility.headEnd();
        headEndCert = utility.headEndCert();
        for (int i = 0; i < 2; i++) {
            slaves.add(new VirtualMbusSlave(i + 1, String.format("%08d", 30_000_000 + i), "SIM", VirtualMbusSlave.Kind.WATER,
                    Clock.systemUTC(), ZoneOffset.UTC, 2_000_000L + 7919L * i, 50, 1));
        }
        line = new TcpMbusSlaveServer(0, new VirtualMbusBus(slaves));
    }

    @AfterAll
    static void stop() throws Exception {
        if (line != null) line.close();
        if (utility != null) utility.close();
    }

    private static String bundle() throws Exception {
        return "bundle_version: 1\ngateway_id: " + GW + "\ntopic_prefix: " + PREFIX + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", pki.ca().certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + broker.url() + "\n  status_interval: 2s\n  backoff_min: 100ms\n  backoff_max: 1s\n  connect_timeout: 3s\n"
                + "sources:\n  - name: line\n    driver: mbus\n    transport: tcp\n    host: 127.0.0.1\n    tcp_port: " + line.port()
                + "\n    poll_interval: 1000ms\n    expected_interval: 1000ms\n    timeout_ms: 1000\n    meters:\n      - address: 1\n      - address: 2\n";
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private JsonNode send(String topic, byte[] body) throws Exception {
        replies.clear();
        assertEquals(0, ProvisioningFixture.publish(he, PREFIX + "/" + GW + "/cmd/" + topic, body));
        byte[] r = replies.poll(60, TimeUnit.SECONDS);
        assertNotNull(r, "a reply to " + topic);
        return json.readTree(r);
    }

    private byte[] signedUpdate(KeyPair key, long s, String version, String sha, long size) throws Exception {
        ObjectNode args = json.createObjectNode().put("version", version).put("sha256", sha).put("size", size).put("chunk_size", CHUNK);
        return SignedCommands.sign("update", GW, s, args, key);
    }

    /** Sends the chunks of {@code jar} from {@code from}; returns the last reply. */
    private JsonNode chunks(byte[] jar, int from) throws Exception {
        JsonNode r = null;
        int n = (jar.length + CHUNK - 1) / CHUNK;
        for (int i = from; i < n; i++) {
            r = send("update-chunk/" + i, Arrays.copyOfRange(jar, i * CHUNK, Math.min(jar.length, (i + 1) * CHUNK)));
            if (!r.path("ok").asBoolean()) return r;
        }
        return r;
    }

    /** Waits until the gateway answers {@code update-status} with {@code current} = {@code version}. */
    private JsonNode awaitRelease(String version) throws Exception {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (System.nanoTime() < deadline) {
            replies.clear();
            ProvisioningFixture.publish(he, PREFIX + "/" + GW + "/cmd/update-status/poll", new byte[0]);
            byte[] r = replies.poll(2, TimeUnit.SECONDS);
            if (r != null) {
                JsonNode n = json.readTree(r);
                if (version.equals(n.path("current").asText()) && !n.has("pending")) return n;
            }
        }
        throw new AssertionError("release " + version + " did not come up and settle");
    }

    @Test
    void signedUpdates_installAndConfirm_orRollBack_andHostileOnesChangeNothing() throws Exception {
        StateDir state = new StateDir(dir.resolve(GW));
        Path pub = dir.resolve("utility.pub");
        KeyPair utility = ProvisioningFixture.signingKey(pub);
        KeyPair stranger = ProvisioningFixture.signingKey(dir.resolve("stranger.pub"));
        Path v1 = Files.writeString(dir.resolve("v1.yaml"), bundle());
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim.yaml"), CLAIM, broker, pki, pki.issueClient("claim-" + CLAIM));
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();
        ProvisioningFixture.initAndApply(services, log, GW, state.root(), v1, "--bundle-signing-key", pub.toString());

        // as the package's postinst: the packaged jar is release 1.0 and current
        Path jar = GatewayProcess.findJar(List.of(Path.of("../distribution/target/meterlink.jar"), Path.of("distribution/target/meterlink.jar")));
        Path releases = state.root().resolve("releases");
        Files.createDirectories(releases.resolve("1.0"));
        Files.copy(jar, releases.resolve("1.0/meterlink.jar"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("1.0"));
        byte[] good = Files.readAllBytes(UpdatePackages.variant(jar, dir.resolve("good.jar"), "2.0"));
        byte[] bad = Files.readAllBytes(UpdatePackages.broken(dir.resolve("bad.jar")));
        Path launcher = Path.of("../distribution/src/main/packaging/meterlink").toAbsolutePath().normalize();
        Path gwLog = dir.resolve("gateway.log");

        he = ProvisioningFixture.connect(broker, pki, headEndCert);
        he.setCallback(collector(replies));
        he.subscribe(PREFIX + "/" + GW + "/cmd-reply", 1).waitForCompletion(30_000);
        try (ServiceLoop service = new ServiceLoop(launcher, Map.of("METERLINK_RELEASES", releases.toString(),
                "JAVA_HOME", System.getProperty("java.home"), "METERLINK_JAVA_OPTS", "-Xmx96m"), gwLog,
                List.of("run", "--config", state.configFile().toString(), "--claim-config", claim.toString(), "--update-health-timeout", "60"))) {
            awaitRelease("1.0");

            // hostile: unsigned, wrongly signed, oversized
            JsonNode r = send("update/u1", ("{\"version\":\"2.0\",\"sha256\":\"" + sha256(good) + "\",\"size\":" + good.length + "}").getBytes());
            assertEquals("unsigned", r.path("error").asText(), r.toString());
            r = send("update/u2", signedUpdate(stranger, ++seq, "2.0", sha256(good), good.length));
            assertEquals("bad_signature", r.path("error").asText(), r.toString());
            r = send("update/u3", signedUpdate(utility, ++seq, "9.0", sha256(good), 65L * 1024 * 1024));
            assertEquals("too_large", r.path("error").asText(), r.toString());
            r = send("update-chunk/0", Arrays.copyOf(good, CHUNK));
            assertEquals("no_download", r.path("error").asText(), "a chunk without a signed update is refused: " + r);

            // a hash-mismatched package: every chunk taken, the last one refused, nothing installed
            byte[] tampered = good.clone();
            tampered[tampered.length / 2] ^= 1;
            r = send("update/u4", signedUpdate(utility, ++seq, "3.0", sha256(good), good.length));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            r = chunks(tampered, 0);
            assertEquals("hash_mismatch", r.path("error").asText(), r.toString());
            assertFalse(Files.exists(releases.resolve("3.0")), "nothing installed");

            // a truncated package: the last chunk is short
            r = send("update/u5", signedUpdate(utility, ++seq, "3.1", sha256(good), good.length));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            int last = (good.length - 1) / CHUNK;
            r = chunks(Arrays.copyOf(good, last * CHUNK), 0);
            assertTrue(r.path("ok").asBoolean(), r.toString());
            r = send("update-chunk/" + last, Arrays.copyOfRange(good, last * CHUNK, good.length - 10));
            assertEquals("bad_chunk", r.path("error").asText(), r.toString());

            // the good update: chunks out of order refused, a repeat taken, the rest resumed
            byte[] update = signedUpdate(utility, ++seq, "2.0", sha256(good), good.length);
            r = send("update/u6", update);
            assertEquals("downloading", r.path("state").asText(), r.toString());
            assertEquals(0, r.path("next_chunk").asLong(), "a new manifest starts from 0: " + r);
            r = send("update-chunk/0", Arrays.copyOf(good, CHUNK));
            assertEquals(1, r.path("next_chunk").asLong(), r.toString());
            r = send("update-chunk/2", Arrays.copyOfRange(good, 2 * CHUNK, 3 * CHUNK));
            assertEquals("out_of_order", r.path("error").asText(), r.toString());
            r = send("update-chunk/0", Arrays.copyOf(good, CHUNK));
            assertTrue(r.path("ok").asBoolean(), "a repeated chunk is acknowledged again: " + r);
            assertEquals(1, r.path("next_chunk").asLong(), r.toString());
            r = chunks(good, 1);
            assertEquals("installed", r.path("state").asText(), r.toString());
            assertEquals("1.0", r.path("previous").asText(), r.toString());
            JsonNode settled = awaitRelease("2.0");
            assertEquals("2.0", settled.path("last_confirmed").path("version").asText(), settled.toString());
            assertTrue(service.exits().contains(75), "the gateway stopped for the restart: " + service.exits());
            assertEquals("replayed", send("update/u7", update).path("error").asText());

            // an update that cannot start: the launcher brings 2.0 back at the next start, 2.0 reports it
            r = send("update/u8", signedUpdate(utility, ++seq, "4.0", sha256(bad), bad.length));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            r = chunks(bad, 0);
            assertEquals("installed", r.path("state").asText(), r.toString());
            await(() -> service.exits().stream().anyMatch(c -> c != 75 && c != 0), LONG, () -> "4.0 failed to start: " + service.exits());
            settled = awaitRelease("2.0");
            assertEquals("4.0", settled.path("last_rolled_back").path("version").asText(), settled.toString());
            r = send("status-now/s", new byte[0]);
            assertTrue(r.path("status").path("alarms").toString().contains("update_rolled_back:4.0"), r.toString());
            System.out.println("SOFTWARE_UPDATE_IT exits=" + service.exits());

            // nothing generated was lost through the restarts
            slaves.forEach(s -> s.setSilent(true)); // from here the ledgers are final: nothing is generated after
            await(() -> {
                try {
                    return send("buffer-stats/b", new byte[0]).path("buffer").path("depth").asLong() == 0;
                } catch (Exception e) {
                    return false;
                }
            }, LONG, () -> "drained");
            List<Verdict.Generated> generated = new ArrayList<>();
            for (VirtualMbusSlave s : slaves) {
                for (LedgerEntry e : s.ledger()) e.readings().forEach(x -> generated.add(new Verdict.Generated(x, e.generatedAt())));
            }
            assertFalse(generated.isEmpty(), "the meters were read while the releases changed");
            await(() -> headEnd.verdict(generated).lost() == 0, LONG, () -> "all delivered: " + headEnd.verdict(generated));
            System.out.println("SOFTWARE_UPDATE_IT " + headEnd.verdict(generated));
        } finally {
            he.disconnect().waitForCompletion(5000);
            he.close();
            System.out.println(Files.exists(gwLog) ? tail(gwLog) : "(no gateway log)");
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
