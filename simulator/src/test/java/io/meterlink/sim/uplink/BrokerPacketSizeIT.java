package io.meterlink.sim.uplink;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.meterlink.sim.uplink.UplinkFixture.await;
import static io.meterlink.sim.uplink.UplinkFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Mosquitto whose {@code max_packet_size} is below the gateway's {@code batch_max_bytes}: it announces
 * the limit in its MQTT 5 CONNACK, and Paho drops the connection rather than send a larger packet. The
 * uplink cuts its batches to the announced size, so the backlog drains on one connection instead of
 * reconnecting on the same batch for ever.
 */
class BrokerPacketSizeIT {

    private static final int MAX_PACKET = 6_000; // the fixture's batches (50 readings, ~16 KB) do not fit

    @TempDir static Path dir;
    private static TestPki pki;
    private static MosquittoBroker broker;
    private static HeadEndSubscriber headEnd;

    @BeforeAll
    static void startBroker() throws Exception {
        UplinkFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
        broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer())
                .extraConfig("max_packet_size " + MAX_PACKET)
                .build().start();
        headEnd = new HeadEndSubscriber(broker.url(), pki, pki.issueClient("headend"), "meterlink/v1");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (headEnd != null) headEnd.close();
        if (broker != null) broker.stop();
    }

    @Test
    void mqtt5_batchesAreCutToTheBrokersMaximumPacketSize_everyReadingOnOneConnection() throws Exception {
        TestPki.Issued client = pki.issueClient("gw-mps");
        UplinkConfig cfg = config(broker.url(), UplinkConfig.Protocol.MQTT5, "gw-mps", pki.caFile(), client.certFile(), client.keyFile(),
                null, null);
        try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve("gw-mps"), "gw-mps", cfg)) {
            g.append(400);
            g.uplink.start();
            await(() -> headEnd.count("gw-mps") == g.accepted.size(), Duration.ofSeconds(30),
                    () -> "head-end has " + headEnd.count("gw-mps") + " of " + g.accepted.size() + "; " + g.uplink.stats()
                            + "\n" + broker.logTail(20));
            await(() -> g.buffer.stats().depth() == 0, Duration.ofSeconds(30), () -> "buffer empty: " + g.buffer.stats());
            assertEquals(0, g.uplink.stats().reconnects(), "never dropped for a packet too large");
            assertEquals(0, g.buffer.stats().deadLetters());
        }
    }
}
