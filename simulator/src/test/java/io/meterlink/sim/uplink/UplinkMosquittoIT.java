package io.meterlink.sim.uplink;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.meterlink.sim.uplink.UplinkFixture.await;
import static io.meterlink.sim.uplink.UplinkFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uplink against a real Mosquitto with TLS, client certificates ({@code require_certificate},
 * {@code use_identity_as_username}) and an ACL that lets each gateway write only its own topics.
 */
class UplinkMosquittoIT {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir static Path dir;
    private static TestPki pki;
    private static MosquittoBroker broker;
    private static HeadEndSubscriber headEnd;

    @BeforeAll
    static void startBroker() throws Exception {
        UplinkFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
        broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer())
                .passwordUser("gw-pw", "s3cret-Pa55")
                .build().start();
        headEnd = new HeadEndSubscriber(broker.url(), pki, pki.issueClient("headend"), "meterlink/v1");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (headEnd != null) headEnd.close();
        if (broker != null) broker.stop();
    }

    private UplinkConfig mutualTls(String cn, UplinkConfig.Protocol protocol) {
        TestPki.Issued client = pki.issueClient(cn);
        return config(broker.url(), protocol, cn, pki.caFile(), client.certFile(), client.keyFile(), null, null);
    }

    private void deliversEveryReadingAsStored(String gw, UplinkConfig cfg) throws Exception {
        try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve(gw), gw, cfg)) {
            g.append(300); // a backlog before the first connect
            g.uplink.start();
            for (int i = 0; i < 10; i++) g.append(37); // live readings while connected
            await(() -> headEnd.count(gw) == g.accepted.size(), LONG,
                    () -> "head-end has " + headEnd.count(gw) + " of " + g.accepted.size() + "; " + g.uplink.stats()
                            + "\n" + broker.logTail(20));
            for (long seq : g.accepted) {
                String batch = headEnd.batchOf(gw, seq);
                assertNotNull(batch, "seq " + seq);
                String body = new String(g.storedBodies.get(seq), StandardCharsets.UTF_8);
                assertTrue(batch.contains(body), "reading " + seq + " arrives byte for byte as stored");
            }
            await(() -> g.buffer.stats().depth() == 0, LONG, () -> "buffer empty: " + g.buffer.stats());
            UplinkStats s = g.uplink.stats();
            assertTrue(s.published() >= g.accepted.size(), "published " + s.published()); // resends after a reconnect count again
            assertEquals(0, s.refused());
            await(() -> headEnd.status.containsKey(gw), LONG, () -> "retained status of " + gw);
            assertTrue(headEnd.status.get(gw).contains("\"state\":\"online\""));
        }
        await(() -> headEnd.status.get(gw).contains("\"state\":\"offline\""), LONG, () -> "offline status after close");
    }

    @Test
    void mutualTls_mqtt5_deliversEveryReadingAsStored_andBufferEndsEmpty() throws Exception {
        deliversEveryReadingAsStored("gw-m5", mutualTls("gw-m5", UplinkConfig.Protocol.MQTT5));
        assertEquals(java.util.Set.of("application/json; utf-8; first byte 0x7b"), headEnd.formats.get("gw-m5"));
    }

    @Test
    void mutualTls_mqtt311_deliversEveryReadingAsStored_andBufferEndsEmpty() throws Exception {
        deliversEveryReadingAsStored("gw-m3", mutualTls("gw-m3", UplinkConfig.Protocol.MQTT311));
    }

    /** Compact batches over MQTT 5 carry their content type; decoded, every stored object is in them byte for byte. */
    @Test
    void mutualTls_mqtt5_compactPayload_announcedAndExact() throws Exception {
        deliversEveryReadingAsStored("gw-c5", mutualTls("gw-c5", UplinkConfig.Protocol.MQTT5).withPayload(UplinkConfig.Payload.COMPACT));
        assertEquals(java.util.Set.of("application/vnd.meterlink.compact;v=1; first byte 0x11"), headEnd.formats.get("gw-c5"));
    }

    /** Over MQTT 3.1.1 there is no content type: the first byte tells the format. */
    @Test
    void mutualTls_mqtt311_compactPayload_toldByItsFirstByte() throws Exception {
        deliversEveryReadingAsStored("gw-c3", mutualTls("gw-c3", UplinkConfig.Protocol.MQTT311).withPayload(UplinkConfig.Payload.COMPACT));
        assertEquals(java.util.Set.of("none; first byte 0x11"), headEnd.formats.get("gw-c3"));
    }

    /**
     * Batches above the gateway's inbound packet bound (1 MiB + 64 KiB) still go out: Paho 1.2.5 holds
     * outgoing packets to the Maximum Packet Size the client announces (paho.mqtt.java #987), so the
     * uplink announces enough for its own largest batch.
     */
    @Test
    void mqtt5_batchesAboveTheCommandBound_areDelivered() throws Exception {
        UplinkConfig c = mutualTls("gw-big", UplinkConfig.Protocol.MQTT5);
        UplinkConfig big = new UplinkConfig(c.url(), c.protocol(), c.clientId(), c.topicPrefix(), c.caFile(), c.certFile(),
                c.keyFile(), c.username(), c.password(), c.allowInsecure(), 10_000, 4 * 1024 * 1024, c.inflightWindow(),
                c.backoffMin(), c.backoffMax(), c.keepAlive(), c.connectTimeout(), c.statusInterval());
        try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve("gw-big"), "gw-big", big)) {
            g.append(8_000); // about 2.5 MB of readings: one batch well above 1 MiB
            g.uplink.start();
            await(() -> headEnd.count("gw-big") == g.accepted.size(), LONG,
                    () -> "head-end has " + headEnd.count("gw-big") + " of " + g.accepted.size() + "; " + g.uplink.stats());
            assertEquals(0, g.uplink.stats().refused());
        }
    }

    /**
     * A Mosquitto whose {@code max_packet_size} is below {@code batch_max_bytes} announces it in its MQTT 5
     * CONNACK, and Paho drops the connection rather than send a larger packet: the uplink cuts its batches
     * to it, so the backlog drains on one connection instead of reconnecting on the same batch for ever.
     */
    @Test
    void mqtt5_batchesAreCutToTheBrokersMaximumPacketSize_everyReadingOnOneConnection() throws Exception {
        int maxPacket = 6_000; // the fixture's batches (50 readings, ~16 KB) do not fit
        try (MosquittoBroker small = MosquittoBroker.builder(dir.resolve("broker-mps"), pki.caFile(), pki.issueLocalhostServer())
                     .extraConfig("max_packet_size " + maxPacket).build().start();
             HeadEndSubscriber sub = new HeadEndSubscriber(small.url(), pki, pki.issueClient("headend"), "meterlink/v1")) {
            TestPki.Issued client = pki.issueClient("gw-mps");
            UplinkConfig cfg = config(small.url(), UplinkConfig.Protocol.MQTT5, "gw-mps", pki.caFile(), client.certFile(), client.keyFile(),
                    null, null);
            try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve("gw-mps"), "gw-mps", cfg)) {
                g.append(400);
                g.uplink.start();
                await(() -> sub.count("gw-mps") == g.accepted.size(), Duration.ofSeconds(30),
                        () -> "head-end has " + sub.count("gw-mps") + " of " + g.accepted.size() + "; " + g.uplink.stats()
                                + "\n" + small.logTail(20));
                await(() -> g.buffer.stats().depth() == 0, LONG, () -> "buffer empty: " + g.buffer.stats());
                assertEquals(0, g.uplink.stats().reconnects(), "never dropped for a packet too large");
                assertEquals(0, g.buffer.stats().deadLetters());
            }
        }
    }

    @Test
    void passwordOverTls_deliversEveryReadingAsStored() throws Exception {
        UplinkConfig cfg = config(broker.passwordUrl(), UplinkConfig.Protocol.MQTT5, "gw-pw", pki.caFile(),
                null, null, "gw-pw", "s3cret-Pa55");
        deliversEveryReadingAsStored("gw-pw", cfg);
    }

    @Test
    void gatewayPublishingIntoAnotherGatewaysTopics_isRefusedByTheBroker_andReported() throws Exception {
        // the certificate says gw-a (the broker's username), the gateway id says gw-b: ACL allows only meterlink/v1/gw-a/#
        TestPki.Issued certA = pki.issueClient("gw-a");
        UplinkConfig cfg = config(broker.url(), UplinkConfig.Protocol.MQTT5, "gw-b", pki.caFile(),
                certA.certFile(), certA.keyFile(), null, null);
        try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve("gw-b"), "gw-b", cfg)) {
            g.append(20);
            g.uplink.start();
            await(() -> g.uplink.stats().refused() > 0 && g.uplink.stats().lastError() != null, LONG,
                    () -> "refusal reported: " + g.uplink.stats() + "\n" + broker.logTail(20));
            assertTrue(g.uplink.stats().lastError().contains("not authorized"), g.uplink.stats().lastError());
            // a fence, not a wait: once gw-b holds the broker's refusal, a batch the broker had let through
            // would sit in the head-end's queue before anything published after it (one broker thread,
            // one FIFO queue per subscriber); so the moment gw-a's own reading arrives, gw-b's would have
            try (UplinkFixture.Gateway fence = new UplinkFixture.Gateway(dir.resolve("gw-a"), "gw-a",
                    config(broker.url(), UplinkConfig.Protocol.MQTT5, "gw-a", pki.caFile(), certA.certFile(), certA.keyFile(), null, null))) {
                fence.append(1);
                fence.uplink.start();
                await(() -> headEnd.count("gw-a") == 1, LONG, () -> "gw-a's fence reading: " + fence.uplink.stats());
            }
            assertEquals(0, headEnd.count("gw-b"), "nothing reached gw-b's topics");
            assertEquals(20, g.buffer.stats().depth(), "refused readings stay in the buffer");
            assertEquals(0, g.uplink.stats().published());
        }
    }

    @Test
    void plaintext_isRefused_withoutTheDevelopmentFlag() throws Exception {
        MapSettings s = new MapSettings(Map.of("url", "tcp://127.0.0.1:" + broker.port()));
        UplinkConfig.bind(s, "gw-tcp");
        assertTrue(s.errors().stream().anyMatch(e -> e.startsWith("url") && e.contains("plaintext")), s.errors().toString());

        UplinkConfig cfg = config("tcp://127.0.0.1:" + broker.port(), UplinkConfig.Protocol.MQTT5, "gw-tcp",
                null, null, null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UplinkFixture.Gateway(dir.resolve("gw-tcp"), "gw-tcp", cfg));
        assertTrue(e.getMessage().contains("plaintext tcp:// is refused"), e.getMessage());
    }

    @Test
    void brokerCertificates_wrongHost_untrustedCa_expired_areEachRefused() throws Exception {
        TestPki other = pki.unrelatedCa("other-ca");
        Map<String, TestPki.Issued> bad = Map.of(
                "does not match the host name", pki.issueWrongHostServer(),
                "not issued by the pinned CA", other.issueLocalhostServer(),
                "expired", pki.issueExpiredServer());
        for (var e : bad.entrySet()) {
            String gw = "gw-bad-" + e.getValue().name();
            try (MosquittoBroker b = MosquittoBroker.builder(dir.resolve("broker-" + e.getValue().name()), pki.caFile(), e.getValue())
                    .build().start();
                 UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve(gw), gw, mutualTlsTo(b, gw))) {
                g.append(5);
                g.uplink.start();
                await(() -> g.uplink.stats().lastError() != null, LONG, () -> "error for " + e.getKey());
                String err = g.uplink.stats().lastError();
                assertTrue(err.contains(e.getKey()), "expected '" + e.getKey() + "' in: " + err);
                assertFalse(g.uplink.stats().connected());
                assertEquals(0, g.uplink.stats().reconnects());
                assertEquals(5, g.buffer.stats().depth());
            }
        }
    }

    private UplinkConfig mutualTlsTo(MosquittoBroker b, String cn) {
        TestPki.Issued client = pki.issueClient(cn);
        return config(b.url(), UplinkConfig.Protocol.MQTT5, cn, pki.caFile(), client.certFile(), client.keyFile(), null, null);
    }
}
