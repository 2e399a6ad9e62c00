package io.meterlink.sim.provisioning;

import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.provisioning.enrol.EnrolmentMessages;
import io.meterlink.provisioning.enrol.EnrolmentTopics;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.utility.ProvisioningResponder;
import io.meterlink.sim.utility.UtilityCa;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.meterlink.sim.provisioning.ProvisioningFixture.PREFIX;
import static io.meterlink.sim.provisioning.ProvisioningFixture.await;
import static io.meterlink.sim.provisioning.ProvisioningFixture.collector;
import static io.meterlink.sim.provisioning.ProvisioningFixture.poll;
import static io.meterlink.sim.provisioning.ProvisioningFixture.meterlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Enrolment by claim, renewal and MQTT commands against a real Mosquitto with
 * {@code require_certificate}, {@code use_identity_as_username} and ACL patterns, with the simulated
 * utility's provisioning responder; and what the broker lets each credential do.
 */
class EnrolmentIT {
    private static final Duration LONG = Duration.ofSeconds(90);
    private static final String CLAIM = "batch1";

    @TempDir static Path dir;
    private static TestPki pki;
    private static MosquittoBroker broker;
    private static ProvisioningResponder responder;
    private static HeadEnd headEnd;
    private static TestPki.Issued claimCert;
    private static TestPki.Issued headEndCert;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        ProvisioningFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
        claimCert = pki.issueClient("claim-" + CLAIM);
        headEndCert = pki.issueClient("headend");
        MosquittoBroker.Builder b = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer());
        ProvisioningResponder.aclLines(PREFIX, "provisioning", Map.of(CLAIM, "claim-" + CLAIM)).forEach(b::aclLine);
        broker = b.build().start();
        responder = new ProvisioningResponder(broker.url(), ProvisioningFixture.tls(pki, pki.issueClient("provisioning")), PREFIX,
                new UtilityCa(pki), Set.of(CLAIM), Set.of("gw-e2e", "gw-renew", "gw-twice", "gw-rogue"));
        headEnd = new HeadEnd(broker.url(), null, null, ProvisioningFixture.tls(pki, headEndCert), PREFIX, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (headEnd != null) headEnd.close();
        if (responder != null) responder.close();
        if (broker != null) broker.stop();
    }

    private long delivered(String gw) {
        return headEnd.seenSeqs().stream().filter(s -> s.gateway().equals(gw)).count();
    }

    private static X509Certificate installed(Path state) throws Exception {
        return Pem.certificates(Files.readString(new StateDir(state).certificateFile())).get(0);
    }

    @Test
    void blankGateway_enrolsByClaim_andDeliversItsFirstReadingUnderItsOwnCertificate() throws Exception {
        String gw = "gw-e2e";
        Path state = dir.resolve(gw);
        Path bundle = Files.writeString(dir.resolve(gw + ".bundle.yaml"), ProvisioningFixture.bundle(1, gw, broker, pki));
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim.yaml"), CLAIM, broker, pki, claimCert);
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();

        java.security.KeyPair utility = ProvisioningFixture.signingKey(dir.resolve("utility.pub"));
        long t0 = System.nanoTime();
        // the technician's three commands (the third is what systemd runs: 'systemctl restart meterlink')
        ProvisioningFixture.initAndApply(services, log, gw, state, bundle, "--bundle-signing-key", dir.resolve("utility.pub").toString());
        Thread run = ProvisioningFixture.run(services, log, "--config", new StateDir(state).configFile().toString(),
                "--claim-config", claim.toString());
        try {
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log + broker.logTail(30));
            Gateway g = services.gateway;
            g.sink().accept(List.of(ProvisioningFixture.reading(1)));
            await(() -> delivered(gw) == 1, LONG, () -> "first reading at the head-end; " + g.status() + "\n" + broker.logTail(30));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("TIME_TO_PROVISION commands=3 wall_ms=" + ms + " (init, apply, run --claim-config; simulator utility, local Mosquitto)");

            X509Certificate cert = installed(state);
            assertEquals("CN=gw-e2e,O=Meterlink Test", cert.getSubjectX500Principal().getName());
            assertEquals(pki.ca().certificate().getSubjectX500Principal(), cert.getIssuerX500Principal());
            assertTrue(responder.issuedTo(gw).isPresent());
            StatusSnapshot s = g.status();
            assertNotNull(s.certificateDaysLeft());
            assertTrue(s.certificateDaysLeft() >= 29, "days left: " + s.certificateDaysLeft());
            assertTrue(s.uplink().connected());

            // a bundle through the authenticated MQTT command, answered on cmd-reply
            BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
            MqttAsyncClient he = ProvisioningFixture.connect(broker, pki, headEndCert);
            try {
                he.setCallback(collector(replies));
                he.subscribe(PREFIX + "/" + gw + "/cmd-reply", 1).waitForCompletion(30_000);
                assertEquals(0, ProvisioningFixture.publish(he, PREFIX + "/" + gw + "/cmd/apply-bundle/r-2",
                        ProvisioningFixture.sign(ProvisioningFixture.bundle(2, gw, broker, pki), utility)));
                JsonNode reply = json.readTree(poll(replies));
                assertTrue(reply.path("ok").asBoolean(), reply.toString());
                assertEquals(2, reply.path("version").asLong());
                assertEquals("r-2", reply.path("request").asText());
                assertEquals(0, ProvisioningFixture.publish(he, PREFIX + "/" + gw + "/cmd/apply-bundle/r-3",
                        ProvisioningFixture.sign(ProvisioningFixture.bundle(1, gw, broker, pki), utility)));
                reply = json.readTree(poll(replies));
                assertEquals("replayed", reply.path("error").asText(), reply.toString());
            } finally {
                he.disconnect().waitForCompletion(5000);
                he.close();
            }
        } finally {
            services.stop.countDown();
            run.join(30_000);
        }
    }

    @Test
    void gatewayId_enrolsByClaimOnlyOnce_andUnknownIdsAreRefused() throws Exception {
        Path state = dir.resolve("gw-twice");
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim-twice.yaml"), CLAIM, broker, pki, claimCert);
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();
        assertEquals(0, meterlink(services, log, "provision", "init", "--gateway-id", "gw-twice", "--state-dir", state.toString()), log::toString);
        String[] enrol = {"provision", "enrol", "--claim-config", claim.toString(), "--state-dir", state.toString()};
        assertEquals(0, meterlink(services, log, enrol), log::toString);
        // a second device claiming the same id with the shared credential gets nothing
        assertEquals(2, meterlink(services, log, enrol), log::toString);
        assertTrue(log.toString().contains("already enrolled"), log::toString);

        Path stranger = dir.resolve("gw-stranger");
        assertEquals(0, meterlink(services, log, "provision", "init", "--gateway-id", "gw-stranger", "--state-dir", stranger.toString()));
        assertEquals(2, meterlink(services, log, "provision", "enrol", "--claim-config", claim.toString(), "--state-dir", stranger.toString()));
        assertTrue(log.toString().contains("not on the allow-list"), log::toString);
        assertTrue(Files.notExists(new StateDir(stranger).certificateFile()));
    }

    @Test
    void renewal_atTwoThirdsOfLife_switchesCertificateWithoutLosingReadings() throws Exception {
        String gw = "gw-renew";
        Path state = dir.resolve(gw);
        Path bundle = Files.writeString(dir.resolve(gw + ".bundle.yaml"), ProvisioningFixture.bundle(1, gw, broker, pki));
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim-renew.yaml"), CLAIM, broker, pki, claimCert);
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofSeconds(1));
        StringBuilder log = new StringBuilder();
        ProvisioningFixture.initAndApply(services, log, gw, state, bundle);
        // a short-lived first certificate: 60 s back-dated + 60 s ahead, so two thirds of its life are over at once
        try {
            responder.validity(Duration.ofSeconds(60));
            assertEquals(0, meterlink(services, log, "provision", "enrol", "--claim-config", claim.toString(), "--state-dir", state.toString()), log::toString);
        } finally {
            responder.validity(Duration.ofDays(30));
        }
        BigInteger first = installed(state).getSerialNumber();
        Thread run = ProvisioningFixture.run(services, log, "--config", new StateDir(state).configFile().toString());
        try {
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log);
            Gateway g = services.gateway;
            int n = 0;
            long deadline = System.nanoTime() + LONG.toNanos();
            // readings keep coming while the gateway renews and reconnects
            while (installed(state).getSerialNumber().equals(first) || n < 200) {
                assertTrue(System.nanoTime() < deadline, () -> "renewed in time; " + g.status() + "\n" + log + broker.logTail(40));
                g.sink().accept(List.of(ProvisioningFixture.reading(++n)));
                Thread.sleep(20);
            }
            int total = n;
            await(() -> delivered(gw) == total, LONG, () -> "all " + total + " readings delivered, got " + delivered(gw) + "; " + g.status());
            BigInteger second = installed(state).getSerialNumber();
            assertNotEquals(first, second);
            assertEquals(responder.issuedTo(gw).orElseThrow().getSerialNumber(), second);
            Path prev = new StateDir(state).certificateFile().resolveSibling("gateway.pem.prev");
            assertEquals(first, Pem.certificates(Files.readString(prev)).get(0).getSerialNumber(), "the old certificate is kept");
            await(() -> g.status().uplink().connected() && g.status().uplink().reconnects() >= 1, LONG, () -> "reconnected: " + g.status());
            assertTrue(g.status().certificateDaysLeft() >= 29, "days left after renewal: " + g.status().certificateDaysLeft());
            assertTrue(Alarm.texts(g.status().alarms()).stream().noneMatch(a -> a.startsWith("certificate")), Alarm.texts(g.status().alarms())::toString);
            await(() -> g.status().buffer().depth() == 0, LONG, () -> "every reading confirmed by PUBACK: " + g.status());
        } finally {
            services.stop.countDown();
            run.join(30_000);
        }
    }

    @Test
    void renewal_withACertificateTheBrokerRefuses_keepsTheOldOne_alarms_andKeepsDelivering() throws Exception {
        String gw = "gw-rogue";
        Path state = dir.resolve(gw);
        Path bundle = Files.writeString(dir.resolve(gw + ".bundle.yaml"), ProvisioningFixture.bundle(1, gw, broker, pki));
        Path claim = ProvisioningFixture.claimConfig(dir.resolve("claim-rogue.yaml"), CLAIM, broker, pki, claimCert);
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofSeconds(1));
        StringBuilder log = new StringBuilder();
        ProvisioningFixture.initAndApply(services, log, gw, state, bundle);
        Thread run = null;
        try {
            responder.validity(Duration.ofSeconds(60)); // due for renewal at once
            assertEquals(0, meterlink(services, log, "provision", "enrol", "--claim-config", claim.toString(), "--state-dir", state.toString()), log::toString);
            responder.validity(Duration.ofDays(30)).signWith(new UtilityCa(pki.unrelatedCa("rogue")));
            BigInteger first = installed(state).getSerialNumber();
            run = ProvisioningFixture.run(services, log, "--config", new StateDir(state).configFile().toString());
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log);
            Gateway g = services.gateway;
            await(() -> Alarm.texts(g.status().alarms()).contains("certificate_renewal_failed"), LONG, () -> "renewal alarm; " + g.status());
            for (int i = 1; i <= 10; i++) g.sink().accept(List.of(ProvisioningFixture.reading(i)));
            await(() -> delivered(gw) == 10, LONG, () -> "delivered with the old certificate; " + g.status());
            assertEquals(first, installed(state).getSerialNumber(), "the working certificate stays installed");
            assertTrue(Files.notExists(new StateDir(state).certificateFile().resolveSibling("gateway.pem.new")));
        } finally {
            responder.signWith(null).validity(Duration.ofDays(30));
            services.stop.countDown();
            if (run != null) run.join(30_000);
        }
    }

    @Test
    void claimCredential_canDoNothingButEnrol() throws Exception {
        MqttAsyncClient claim = ProvisioningFixture.connect(broker, pki, claimCert);
        BlockingQueue<byte[]> seen = new LinkedBlockingQueue<>();
        try {
            claim.setCallback(collector(seen));
            for (String topic : List.of(PREFIX + "/gw-e2e/readings", PREFIX + "/gw-e2e/status", PREFIX + "/gw-e2e/cmd/apply-bundle",
                    EnrolmentTopics.claimRequest(PREFIX, "batch2"), EnrolmentTopics.renewRequest(PREFIX, "gw-e2e"),
                    PREFIX + "/provisioning/" + CLAIM + "/cert/gw-e2e")) {
                assertEquals(0x87, ProvisioningFixture.publish(claim, topic, "{}".getBytes(StandardCharsets.UTF_8)), topic);
            }
            // its one permitted publish: a CSR to its own claim topic (answered with a refusal for garbage)
            assertEquals(0, ProvisioningFixture.publish(claim, EnrolmentTopics.claimRequest(PREFIX, CLAIM), "{}".getBytes(StandardCharsets.UTF_8)));
            // subscriptions outside its claim receive nothing while a gateway publishes
            claim.subscribe(PREFIX + "/#", 1).waitForCompletion(30_000);
            MqttAsyncClient gwClient = ProvisioningFixture.connect(broker, pki, pki.issueClient("gw-acl"));
            try {
                assertEquals(0, ProvisioningFixture.publish(gwClient, PREFIX + "/gw-acl/readings", "{\"v\":1}".getBytes(StandardCharsets.UTF_8)));
                assertEquals(0, ProvisioningFixture.publish(gwClient, EnrolmentTopics.renewRequest(PREFIX, "gw-acl"),
                        EnrolmentMessages.request("gw-acl", "x", "not a csr")));
            } finally {
                gwClient.disconnect().waitForCompletion(5000);
                gwClient.close();
            }
            assertNull(seen.poll(3, TimeUnit.SECONDS), "the claim credential reads nothing outside its claim");
        } finally {
            claim.disconnect().waitForCompletion(5000);
            claim.close();
        }
    }

    @Test
    void provisionedGateway_writesOnlyItsOwnTopics() throws Exception {
        MqttAsyncClient c = ProvisioningFixture.connect(broker, pki, pki.issueClient("gw-own"));
        try {
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            assertEquals(0, ProvisioningFixture.publish(c, PREFIX + "/gw-own/readings", body));
            assertEquals(0, ProvisioningFixture.publish(c, PREFIX + "/gw-own/status", body));
            assertEquals(0, ProvisioningFixture.publish(c, PREFIX + "/gw-own/cmd-reply", body));
            List<String> refused = new ArrayList<>();
            for (String topic : List.of(PREFIX + "/gw-e2e/readings", PREFIX + "/gw-e2e/status", PREFIX + "/gw-e2e/cmd/apply-bundle",
                    EnrolmentTopics.renewRequest(PREFIX, "gw-e2e"), EnrolmentTopics.renewResponse(PREFIX, "gw-own"),
                    EnrolmentTopics.claimRequest(PREFIX, CLAIM), EnrolmentTopics.claimResponse(PREFIX, CLAIM, "gw-own"))) {
                if (ProvisioningFixture.publish(c, topic, body) == 0x87) refused.add(topic);
            }
            assertEquals(7, refused.size(), "refused: " + refused);
        } finally {
            c.disconnect().waitForCompletion(5000);
            c.close();
        }
    }
}
