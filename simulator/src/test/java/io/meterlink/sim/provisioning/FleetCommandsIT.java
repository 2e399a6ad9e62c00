package io.meterlink.sim.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.provisioning.command.SignedCommands;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
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
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static io.meterlink.sim.provisioning.ProvisioningFixture.PREFIX;
import static io.meterlink.sim.provisioning.ProvisioningFixture.await;
import static io.meterlink.sim.provisioning.ProvisioningFixture.collector;
import static io.meterlink.sim.provisioning.ProvisioningFixture.meterlink;
import static io.meterlink.sim.provisioning.ProvisioningFixture.poll;
import static io.meterlink.sim.provisioning.ProvisioningFixture.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fleet operations over the real command channel (a gateway enrolled at a real Mosquitto with mutual
 * TLS and ACLs, virtual M-Bus meters on TCP lines): the read-only commands answer unsigned; the
 * changing ones are refused unsigned, wrongly signed, for another gateway, for another command, or
 * replayed; a signed temporary log level takes effect and reverts; signed bundles take effect live
 * (a line added, a line's meters changed, a line removed, the unchanged one left running; the
 * broker credentials switched from the client certificate to a password, kept once accepted) while
 * the meters keep being read, and nothing generated is lost; a buffer change asks for a restart, and
 * the signed {@code restart} stops {@code meterlink run} cleanly with exit code 75.
 */
class FleetCommandsIT {
    private static final Duration LONG = Duration.ofSeconds(90);
    private static final String GW = "gw-fleet";
    private static final String CLAIM = "batch-fleet";
    private static final String GW_PASSWORD = "fleet-pw-7d1c";

    @TempDir static Path dir;
    private static TestPki pki;
    private static MosquittoBroker broker;
    private static ProvisioningFixture.Utility utility;
    private static HeadEnd headEnd;
    private static TestPki.Issued headEndCert;
    private static final List<VirtualMbusSlave> slaves = new ArrayList<>();
    private static TcpMbusSlaveServer lineA;
    private static TcpMbusSlaveServer lineB;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        utility = ProvisioningFixture.Utility.start(dir, CLAIM, GW, b -> b.passwordUser(GW, GW_PASSWORD), false);
        pki = utility.pki();
        broker = utility.broker();
        headEnd = utility.headEnd();
        headEndCert = utility.headEndCert();
        lineA = new TcpMbusSlaveServer(0, new VirtualMbusBus(meters(0, 3)));
        lineB = new TcpMbusSlaveServer(0, new VirtualMbusBus(meters(10, 3)));
    }

    private static List<VirtualMbusSlave> meters(int first, int n) {
        List<VirtualMbusSlave> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new VirtualMbusSlave(i + 1, String.format("%08d", 20_000_000 + first + i), "SIM", VirtualMbusSlave.Kind.WATER,
                    Clock.systemUTC(), ZoneOffset.UTC, 1_000_000L + 7919L * (first + i), 50, 1));
        }
        slaves.addAll(out);
        return out;
    }

    @AfterAll
    static void stop() throws Exception {
        if (lineA != null) lineA.close();
        if (lineB != null) lineB.close();
        if (utility != null) utility.close();
    }

    private static String line(String name, TcpMbusSlaveServer server, int... addresses) {
        StringBuilder y = new StringBuilder("  - name: " + name + "\n    driver: mbus\n    transport: tcp\n    host: 127.0.0.1\n"
                + "    tcp_port: " + server.port() + "\n    poll_interval: 1000ms\n    expected_interval: 1000ms\n    timeout_ms: 1000\n"
                + "    meters:\n");
        for (int a : addresses) y.append("      - address: ").append(a).append('\n');
        return y.toString();
    }

    /** A bundle: the mutual-TLS listener (or the password listener with {@code password}), the given sources and extra YAML. */
    private static String bundle(long version, String password, String sources, String extra) throws Exception {
        return "bundle_version: " + version + "\ngateway_id: " + GW + "\ntopic_prefix: " + PREFIX + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", pki.ca().certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + (password == null ? broker.url() : broker.passwordUrl())
                + "\n  status_interval: 2s\n  backoff_min: 100ms\n  backoff_max: 1s\n  connect_timeout: 3s\n"
                + (password == null ? "" : "  username: " + GW + "\n  password: " + password + "\n")
                + "sources:\n" + sources + extra;
    }

    private JsonNode command(MqttAsyncClient he, BlockingQueue<byte[]> replies, String name, String request, byte[] body) throws Exception {
        assertEquals(0, ProvisioningFixture.publish(he, PREFIX + "/" + GW + "/cmd/" + name + "/" + request, body));
        JsonNode r = json.readTree(poll(replies));
        assertEquals(request, r.path("request").asText(), r.toString());
        return r;
    }

    private static byte[] signed(String cmd, long seq, String args, KeyPair key, String gw) throws Exception {
        return SignedCommands.sign(cmd, gw, seq, (ObjectNode) new ObjectMapper().readTree(args), key);
    }

    @Test
    void remoteOperationsAndLiveBundles_refuseWhatIsNotSigned_andLoseNothing() throws Exception {
        StateDir state = new StateDir(dir.resolve(GW));
        Path pub = dir.resolve("utility.pub");
        KeyPair utility = ProvisioningFixture.signingKey(pub);
        KeyPair stranger = ProvisioningFixture.signingKey(dir.resolve("stranger.pub"));
        Path v1 = Files.writeString(dir.resolve("v1.yaml"), bundle(1, null, line("line-a", lineA, 1, 2, 3), ""));
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim.yaml"), CLAIM, broker, pki, pki.issueClient("claim-" + CLAIM));
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();
        ProvisioningFixture.initAndApply(services, log, GW, state.root(), v1, "--bundle-signing-key", pub.toString());
        Thread run = ProvisioningFixture.run(services, log, "--config", state.configFile().toString(), "--claim-config", claim.toString(),
                "--bundle-trial-timeout", "10");
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        MqttAsyncClient he = null;
        try {
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log);
            Gateway g = services.gateway;
            await(() -> g.status().uplink().connected(), LONG, () -> "connected\n" + log + broker.logTail(20));
            he = ProvisioningFixture.connect(broker, pki, headEndCert);
            he.setCallback(collector(replies));
            he.subscribe(PREFIX + "/" + GW + "/cmd-reply", 1).waitForCompletion(30_000);
            await(() -> g.health().metersHeard() >= 3, LONG, () -> "line-a heard\n" + log);

            // read-only commands answer unsigned
            JsonNode r = command(he, replies, "status-now", "s1", new byte[0]);
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertEquals(GW, r.path("status").path("gw").asText(), r.toString());
            r = command(he, replies, "buffer-stats", "b1", new byte[0]);
            assertTrue(r.path("buffer").path("accepted").asLong() > 0, r.toString());
            r = command(he, replies, "drivers", "d1", new byte[0]);
            assertEquals("line-a", r.path("sources").get(0).path("name").asText(), r.toString());
            assertEquals("running", r.path("sources").get(0).path("state").asText(), r.toString());
            assertTrue(r.path("sources").get(0).path("readings").asLong() > 0, r.toString());
            String meter = slaves.get(1).meterId().toString();
            r = command(he, replies, "read-now", "r1", ("{\"meter\":\"" + meter + "\"}").getBytes());
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertTrue(r.path("meters").get(0).path("readings").size() > 0, r.toString());
            r = command(he, replies, "read-now", "r2", "{\"meter\":\"mbus:SIM:99999999\"}".getBytes());
            assertFalse(r.path("ok").asBoolean(), r.toString());
            assertEquals("unknown_meter", r.path("error").asText(), r.toString());
            r = command(he, replies, "read-now", "r3", "{}".getBytes());
            assertEquals(3, r.path("read").asInt(), "all meters heard are read: " + r);

            // changing commands: refused unless signed by the pinned key, for this gateway and command, not replayed
            var debugLogger = LoggerFactory.getLogger("io.meterlink.core.runtime.Gateway");
            assertFalse(debugLogger.isDebugEnabled());
            String debug = "{\"level\":\"debug\",\"seconds\":3}";
            assertEquals("unsigned", command(he, replies, "log-level", "l1", debug.getBytes()).path("error").asText());
            assertEquals("bad_signature", command(he, replies, "log-level", "l2", signed("log-level", 1, debug, stranger, GW)).path("error").asText());
            assertEquals("wrong_gateway", command(he, replies, "log-level", "l3", signed("log-level", 1, debug, utility, "gw-other")).path("error").asText());
            assertEquals("wrong_command", command(he, replies, "restart", "l4", signed("log-level", 1, debug, utility, GW)).path("error").asText());
            assertEquals("unsigned", command(he, replies, "restart", "l5", new byte[0]).path("error").asText());
            byte[] ok = signed("log-level", 1, debug, utility, GW);
            r = command(he, replies, "log-level", "l6", ok);
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertTrue(debugLogger.isDebugEnabled(), "the level is in force");
            assertEquals("replayed", command(he, replies, "log-level", "l7", ok).path("error").asText());
            await(() -> !debugLogger.isDebugEnabled(), Duration.ofSeconds(20), () -> "the level reverts on its own");
            assertTrue(g.config().sources().size() == 1 && g.uplink().stats().connected(), "nothing else changed");

            // a live bundle: line-a untouched, line-b added, the broker credentials switched to a password
            r = command(he, replies, "apply-bundle", "v2", sign(bundle(2, GW_PASSWORD,
                    line("line-a", lineA, 1, 2, 3) + line("line-b", lineB, 1, 2), ""), utility));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertFalse(r.path("restart_required").asBoolean(), r.toString());
            assertEquals("[\"line-b\"]", r.path("sources").path("started").toString(), r.toString());
            assertEquals("[\"line-a\"]", r.path("sources").path("unchanged").toString(), r.toString());
            assertEquals("started", r.path("trial").asText(), r.toString());
            r = json.readTree(poll(replies));
            assertEquals("accepted", r.path("trial").asText(), r.toString());
            assertTrue(Files.readString(state.configFile()).contains(broker.passwordUrl()));
            await(() -> g.health().metersHeard() >= 5, LONG, () -> "line-b heard");

            // a live bundle changing line-b's meters and removing line-a
            r = command(he, replies, "apply-bundle", "v3", sign(bundle(3, GW_PASSWORD, line("line-b", lineB, 1, 2, 3), ""), utility));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertFalse(r.path("restart_required").asBoolean(), r.toString());
            assertEquals("[\"line-b\"]", r.path("sources").path("restarted").toString(), r.toString());
            assertEquals("[\"line-a\"]", r.path("sources").path("stopped").toString(), r.toString());
            assertFalse(r.has("trial"), "same connection settings: no trial " + r);
            await(() -> g.health().metersHeard() >= 6, LONG, () -> "line-b's third meter heard");
            r = command(he, replies, "drivers", "d2", new byte[0]);
            assertEquals(1, r.path("sources").size(), r.toString());
            assertEquals("line-b", r.path("sources").get(0).path("name").asText(), r.toString());

            // nothing generated is lost: stop the meters, let the buffer drain
            slaves.forEach(s -> s.setSilent(true)); // from here the ledgers are final: nothing is generated after
            await(() -> g.status().buffer().depth() == 0, LONG, () -> "drained " + g.status());
            List<Verdict.Generated> generated = new ArrayList<>();
            for (VirtualMbusSlave s : slaves) {
                for (LedgerEntry e : s.ledger()) e.readings().forEach(x -> generated.add(new Verdict.Generated(x, e.generatedAt())));
            }
            await(() -> headEnd.verdict(generated).lost() == 0, LONG, () -> "all delivered: " + headEnd.verdict(generated));
            Verdict v = headEnd.verdict(generated);
            System.out.println("FLEET_COMMANDS_IT generated=" + v.generated() + " delivered=" + v.delivered() + " lost=" + v.lost());
            assertTrue(v.generated() > 20, v.toString());

            // a buffer change needs a restart; the signed restart command ends 'run' with 75 for systemd
            r = command(he, replies, "apply-bundle", "v4", sign(bundle(4, GW_PASSWORD, line("line-b", lineB, 1, 2, 3),
                    "buffer:\n  path: " + state.root().resolve("buffer-2.db") + "\n"), utility));
            assertTrue(r.path("restart_required").asBoolean(), r.toString());
            assertEquals("[\"buffer\"]", r.path("restart_for").toString(), r.toString());
            r = command(he, replies, "restart", "x1", signed("restart", 2, "{}", utility, GW));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            run.join(60_000);
            assertFalse(run.isAlive(), "run ended");
            assertTrue(log.toString().contains(" -> 75"), log.toString());
        } finally {
            if (he != null) {
                he.disconnect().waitForCompletion(5000);
                he.close();
            }
            services.stop.countDown();
            run.join(30_000);
        }
    }
}
