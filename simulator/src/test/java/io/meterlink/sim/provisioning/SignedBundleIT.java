package io.meterlink.sim.provisioning;

import io.meterlink.sim.headend.GatewaySeq;
import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.utility.ProvisioningResponder;
import io.meterlink.sim.utility.UtilityCa;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * Signed bundles over the real command channel: a running gateway enrolled at a real Mosquitto (mutual
 * TLS, ACLs) takes a signed bundle, refuses each bad one with its typed reason without changing
 * anything, rolls a broker/CA rotation to an unreachable broker back within the trial bound, and keeps
 * a rotation to a second Mosquitto (with a second CA) that accepts it; readings flow throughout and
 * none is lost.
 */
class SignedBundleIT {
    private static final Duration LONG = Duration.ofSeconds(90);
    private static final String GW = "gw-signed";
    private static final String CLAIM = "batch-sign";
    private static final int TRIAL_SECONDS = 3;

    @TempDir static Path dir;
    private static TestPki pki;
    private static TestPki pkiB;
    private static MosquittoBroker broker;
    private static MosquittoBroker brokerB;
    private static ProvisioningResponder responder;
    private static HeadEnd headEnd;
    private static HeadEnd headEndB;
    private static TestPki.Issued headEndCert;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ProvisioningFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
        pkiB = TestPki.create(dir.resolve("pki-b"), "Second Utility CA");
        headEndCert = pki.issueClient("headend");
        MosquittoBroker.Builder b = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer());
        ProvisioningResponder.aclLines(PREFIX, "provisioning", Map.of(CLAIM, "claim-" + CLAIM)).forEach(b::aclLine);
        broker = b.build().start();
        // the second broker: its server certificate from the second CA; clients still from the first
        brokerB = MosquittoBroker.builder(dir.resolve("broker-b"), pki.caFile(), pkiB.issueLocalhostServer()).build().start();
        responder = new ProvisioningResponder(broker.url(), ProvisioningFixture.tls(pki, pki.issueClient("provisioning")), PREFIX,
                new UtilityCa(pki), Set.of(CLAIM), Set.of(GW));
        headEnd = new HeadEnd(broker.url(), null, null, ProvisioningFixture.tls(pki, headEndCert), PREFIX, Clock.systemUTC());
        headEndB = new HeadEnd(brokerB.url(), null, null, TlsContexts.socketFactory(pkiB.caFile(),
                Optional.of(headEndCert.certFile()), Optional.of(headEndCert.keyFile())), PREFIX, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (headEnd != null) headEnd.close();
        if (headEndB != null) headEndB.close();
        if (responder != null) responder.close();
        if (broker != null) broker.stop();
        if (brokerB != null) brokerB.stop();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private long delivered() {
        return Set.copyOf(concat(headEnd.seenSeqs(), headEndB.seenSeqs())).stream().filter(s -> s.gateway().equals(GW)).count();
    }

    private static List<GatewaySeq> concat(Set<GatewaySeq> a, Set<GatewaySeq> b) {
        List<GatewaySeq> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static MqttAsyncClient connectB() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(brokerB.url(), "t-headend-b-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(TlsContexts.socketFactory(pkiB.caFile(), Optional.of(headEndCert.certFile()), Optional.of(headEndCert.keyFile())));
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    @Test
    void signedBundles_applyRefuseRollBackAndRotate_withoutLosingAReading() throws Exception {
        StateDir state = new StateDir(dir.resolve(GW));
        Path pub = dir.resolve("utility.pub");
        KeyPair utility = ProvisioningFixture.signingKey(pub);
        KeyPair stranger = ProvisioningFixture.signingKey(dir.resolve("stranger.pub"));
        String urlA = broker.url();
        var caA = pki.ca().certificate();
        var caB = pkiB.ca().certificate();
        Path v1 = Files.writeString(dir.resolve("v1.yaml"), ProvisioningFixture.bundle(1, GW, urlA, caA, ""));
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim.yaml"), CLAIM, broker, pki, pki.issueClient("claim-" + CLAIM));
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();
        ProvisioningFixture.initAndApply(services, log, GW, state.root(), v1, "--bundle-signing-key", pub.toString());
        Thread run = ProvisioningFixture.run(services, log, "--config", state.configFile().toString(), "--claim-config", claim.toString(),
                "--bundle-trial-timeout", Integer.toString(TRIAL_SECONDS));
        AtomicBoolean feeding = new AtomicBoolean(true);
        AtomicInteger fed = new AtomicInteger();
        Thread feeder = null;
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        MqttAsyncClient he = null;
        try {
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log);
            Gateway g = services.gateway;
            await(() -> g.status().uplink().connected(), LONG, () -> "connected\n" + log + broker.logTail(20));
            feeder = new Thread(() -> {
                while (feeding.get()) {
                    try {
                        g.sink().accept(List.of(ProvisioningFixture.reading(fed.incrementAndGet())));
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "it-feeder");
            feeder.start();

            he = ProvisioningFixture.connect(broker, pki, headEndCert);
            he.setCallback(collector(replies));
            he.subscribe(PREFIX + "/" + GW + "/cmd-reply", 1).waitForCompletion(30_000);
            MqttAsyncClient client = he;
            String topic = PREFIX + "/" + GW + "/cmd/apply-bundle/";

            // a valid signed bundle applies
            assertEquals(0, ProvisioningFixture.publish(client, topic + "ok-2", sign(ProvisioningFixture.bundle(2, GW, urlA, caA, ""), utility)));
            JsonNode r = json.readTree(poll(replies));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertEquals(2, r.path("version").asLong());
            assertFalse(r.has("trial"), "same broker and CA: no trial " + r);
            String config2 = Files.readString(state.configFile());

            // each bad one is refused with its reason and changes nothing
            Map<String, byte[]> attacks = new java.util.LinkedHashMap<>();
            attacks.put("unsigned", ProvisioningFixture.bundle(3, GW, urlA, caA, "").getBytes(StandardCharsets.UTF_8));
            attacks.put("bad_signature", sign(ProvisioningFixture.bundle(3, GW, urlA, caA, ""), stranger));
            attacks.put("wrong_gateway", sign(ProvisioningFixture.bundle(3, "gw-other", urlA, caA, ""), utility));
            attacks.put("replayed", sign(ProvisioningFixture.bundle(2, GW, urlA, caA, ""), utility));
            attacks.put("version_jump", sign(ProvisioningFixture.bundle(Long.MAX_VALUE, GW, urlA, caA, ""), utility));
            attacks.put("forbidden_setting", sign(ProvisioningFixture.bundle(3, GW, "tcp://localhost:1883", caA, ""), utility));
            attacks.put("path_escape", sign(ProvisioningFixture.bundle(3, GW, urlA, caA, "buffer:\n  path: " + state.privateKeyFile() + "\n"), utility));
            for (Map.Entry<String, byte[]> a : attacks.entrySet()) {
                assertEquals(0, ProvisioningFixture.publish(client, topic + a.getKey(), a.getValue()));
                JsonNode refusal = json.readTree(poll(replies));
                assertEquals(a.getKey(), refusal.path("request").asText(), refusal.toString());
                assertFalse(refusal.path("ok").asBoolean(), refusal.toString());
                assertEquals(a.getKey(), refusal.path("error").asText(), refusal.toString());
                assertEquals(config2, Files.readString(state.configFile()), a.getKey() + " changed nothing");
            }
            assertTrue(Files.exists(state.privateKeyFile()), "the key is where it was");

            // a signed rotation to an unreachable broker with another CA: tried, rolled back within the bound
            String unreachable = "ssl://localhost:" + closedPort();
            long t0 = System.nanoTime();
            assertEquals(0, ProvisioningFixture.publish(client, topic + "rotate-3", sign(ProvisioningFixture.bundle(3, GW, unreachable, caB, ""), utility)));
            r = json.readTree(poll(replies));
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertEquals("started", r.path("trial").asText(), r.toString());
            r = json.readTree(poll(replies));
            long trialMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("trial", r.path("event").asText(), r.toString());
            assertEquals("rolled_back", r.path("trial").asText(), r.toString());
            assertEquals("trial_rolled_back", r.path("error").asText(), r.toString());
            assertEquals(2, r.path("rolled_back_to").asLong(), r.toString());
            System.out.println("TRIAL_ROLLBACK bound_s=" + TRIAL_SECONDS + " reported_after_ms=" + trialMs);
            assertEquals(config2, Files.readString(state.configFile()), "back to version 2");
            assertTrue(Alarm.texts(g.status().alarms()).contains("bundle_trial_failed"), Alarm.texts(g.status().alarms()).toString());
            long before = delivered();
            await(() -> delivered() > before + 5, LONG, () -> "readings keep arriving after the rollback");
            // the rolled-back version cannot be sent again
            assertEquals(0, ProvisioningFixture.publish(client, topic + "again-3", sign(ProvisioningFixture.bundle(3, GW, unreachable, caB, ""), utility)));
            assertEquals("replayed", json.readTree(poll(replies)).path("error").asText());

            // issue 9 point 4: a bundle applied at the shell pins another CA in 'config' while the uplink runs; the running
            // uplink keeps its snapshot (URL and CA together), so a broker restart does not strand it with the new CA
            Path v4 = Files.writeString(dir.resolve("v4.yaml"), ProvisioningFixture.bundle(4, GW, urlA, caB, ""));
            assertEquals(0, meterlink(services, log, "provision", "apply", "--allow-unsigned", v4.toString(), "--state-dir",
                    state.root().toString()), log::toString);
            // drop the gateway's session (a client with its certificate and client id takes it over): it reconnects
            long reconnects = g.status().uplink().reconnects();
            MqttAsyncClient kicker = new MqttAsyncClient(urlA, GW, new MemoryPersistence());
            MqttConnectionOptions ko = new MqttConnectionOptions();
            ko.setSocketFactory(TlsContexts.socketFactory(pki.caFile(), Optional.of(state.certificateFile()), Optional.of(state.privateKeyFile())));
            kicker.connect(ko).waitForCompletion(30_000);
            kicker.disconnect().waitForCompletion(5000);
            kicker.close();
            await(() -> g.status().uplink().reconnects() > reconnects && g.status().uplink().connected(), LONG,
                    () -> "reconnected with the old CA and URL\n" + g.status() + "\n" + log);
            long afterKick = delivered();
            await(() -> delivered() > afterKick + 5, LONG, () -> "readings keep arriving after the reconnect");

            // a signed rotation to the second broker with the second CA: accepted there and kept
            BlockingQueue<byte[]> repliesB = new LinkedBlockingQueue<>();
            MqttAsyncClient heB = connectB();
            try {
                heB.setCallback(collector(repliesB));
                heB.subscribe(PREFIX + "/" + GW + "/cmd-reply", 1).waitForCompletion(30_000);
                assertEquals(0, ProvisioningFixture.publish(client, topic + "rotate-5", sign(ProvisioningFixture.bundle(5, GW, brokerB.url(), caB, ""), utility)));
                r = json.readTree(poll(replies));
                assertEquals("started", r.path("trial").asText(), r.toString());
                r = json.readTree(poll(repliesB));
                assertEquals("accepted", r.path("trial").asText(), r.toString());
                assertTrue(r.path("ok").asBoolean(), r.toString());
                assertFalse(Alarm.texts(g.status().alarms()).contains("bundle_trial_failed"), Alarm.texts(g.status().alarms()).toString());
                long atB = headEndB.seenSeqs().size();
                await(() -> headEndB.seenSeqs().size() > atB + 5, LONG, () -> "readings arrive at the second broker");
                Thread.sleep(TRIAL_SECONDS * 1000L + 1000);
                assertTrue(Files.readString(state.configFile()).contains(brokerB.url()), "kept after the bound");
                assertTrue(g.status().uplink().connected());
            } finally {
                heB.disconnect().waitForCompletion(5000);
                heB.close();
            }

            feeding.set(false);
            feeder.join(5000);
            int total = fed.get();
            await(() -> delivered() == total, LONG, () -> "all " + total + " readings delivered, got " + delivered() + "\n" + g.status());
            System.out.println("SIGNED_BUNDLE_IT fed=" + total + " delivered=" + delivered() + " lost=0");
        } finally {
            feeding.set(false);
            if (he != null) {
                he.disconnect().waitForCompletion(5000);
                he.close();
            }
            services.stop.countDown();
            run.join(30_000);
        }
    }
}
