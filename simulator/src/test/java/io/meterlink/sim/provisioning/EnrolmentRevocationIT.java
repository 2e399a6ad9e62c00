package io.meterlink.sim.provisioning;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.utility.ProvisioningResponder;
import io.meterlink.sim.utility.UtilityCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.meterlink.sim.provisioning.ProvisioningFixture.PREFIX;
import static io.meterlink.sim.provisioning.ProvisioningFixture.await;
import static io.meterlink.sim.provisioning.ProvisioningFixture.meterlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A revoked certificate (listed in Mosquitto's {@code crlfile}) cannot connect; a running gateway
 * whose certificate is revoked shows the {@code certificate_refused} alarm and keeps buffering.
 */
class EnrolmentRevocationIT {
    private static final Duration LONG = Duration.ofSeconds(90);

    @TempDir static Path dir;
    private static TestPki pki;
    private static UtilityCa ca;
    private static MosquittoBroker broker;
    private static Path crl;

    @BeforeAll
    static void start() throws Exception {
        ProvisioningFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
        ca = new UtilityCa(pki);
        crl = ca.writeCrl(dir.resolve("ca.crl"));
        MosquittoBroker.Builder b = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer()).crlFile(crl);
        ProvisioningResponder.aclLines(PREFIX, "provisioning", Map.of("batch1", "claim-batch1")).forEach(b::aclLine);
        broker = b.build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) broker.stop();
    }

    @Test
    void revokedCertificate_cannotConnect_whileOthersStillCan() throws Exception {
        TestPki.Issued revoked = pki.issueClient("gw-revoked");
        TestPki.Issued good = ProvisioningFixture.connectable(pki, "gw-good");
        ProvisioningFixture.connect(broker, pki, revoked).disconnect().waitForCompletion(5000); // works before revocation
        ca.revoke(revoked.certificate());
        ca.writeCrl(crl);
        broker.restart(); // Mosquitto reads its crlfile at start
        org.eclipse.paho.mqttv5.common.MqttException refused =
                assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class, () -> ProvisioningFixture.connect(broker, pki, revoked));
        // the broker names the reason in its TLS alert: the certificate is revoked (not expired, not unknown)
        javax.net.ssl.SSLHandshakeException alert = assertInstanceOf(javax.net.ssl.SSLHandshakeException.class, refused.getCause(),
                refused::toString);
        assertTrue(alert.getMessage().contains("certificate_revoked"), alert.getMessage());
        var c = ProvisioningFixture.connect(broker, pki, good);
        assertTrue(c.isConnected());
        c.disconnect().waitForCompletion(5000);
        c.close();
    }

    @Test
    void runningGateway_withRevokedCertificate_alarmsAndKeepsBuffering() throws Exception {
        String gw = "gw-victim";
        Path state = dir.resolve(gw);
        Path claimFile = ProvisioningFixture.claimConfig(dir.resolve("claim.yaml"), "batch1", broker, pki, pki.issueClient("claim-batch1"));
        Path bundle = Files.writeString(dir.resolve(gw + ".yaml"), ProvisioningFixture.bundle(1, gw, broker, pki));
        ProvisioningFixture.TestServices services = new ProvisioningFixture.TestServices(Duration.ofHours(1));
        StringBuilder log = new StringBuilder();
        try (ProvisioningResponder responder = new ProvisioningResponder(broker.url(),
                ProvisioningFixture.tls(pki, pki.issueClient("provisioning")), PREFIX, ca, Set.of("batch1"), Set.of(gw))) {
            ProvisioningFixture.initAndApply(services, log, gw, state, bundle);
            assertEquals(0, meterlink(services, log, "provision", "enrol", "--claim-config", claimFile.toString(), "--state-dir", state.toString()), log::toString);
            ca.revoke(responder.issuedTo(gw).orElseThrow());
        }
        ca.writeCrl(crl);
        broker.restart();
        Thread run = ProvisioningFixture.run(services, log, "--config", new StateDir(state).configFile().toString());
        try {
            await(() -> services.gateway != null, LONG, () -> "gateway started\n" + log);
            Gateway g = services.gateway;
            for (int i = 1; i <= 20; i++) g.sink().accept(List.of(ProvisioningFixture.reading(i)));
            await(() -> Alarm.texts(g.status().alarms()).contains("certificate_refused"), LONG,
                    () -> "certificate_refused alarm; " + g.status() + "\n" + broker.logTail(20));
            await(() -> g.status().buffer().depth() == 20, LONG, () -> "20 readings buffered: " + g.status());
            assertEquals(0, g.status().uplink().published());
            assertTrue(!g.status().uplink().connected());
        } finally {
            services.stop.countDown();
            run.join(30_000);
        }
    }
}
