package io.meterlink.sim.uplink;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.meterlink.sim.uplink.UplinkFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 2 §7.5: the broker goes away for a while and comes back; nothing accepted is lost. */
class UplinkBrokerOutageIT {

    @TempDir Path dir;

    @Test
    void brokerStoppedWhileReadingsKeepComing_thenRestarted_everyAcceptedReadingDelivered() throws Exception {
        UplinkFixture.requireMosquitto();
        TestPki pki = TestPki.create(dir.resolve("pki"));
        MosquittoBroker broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer()).build();
        broker.start();
        Thread producer = null;
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        try (HeadEndSubscriber headEnd = new HeadEndSubscriber(broker.url(), pki, pki.issueClient("headend"), "meterlink/v1")) {
            TestPki.Issued client = pki.issueClient("gw-out");
            UplinkConfig cfg = UplinkFixture.config(broker.url(), UplinkConfig.Protocol.MQTT5, "gw-out", pki.caFile(),
                    client.certFile(), client.keyFile(), null, null);
            try (UplinkFixture.Gateway g = new UplinkFixture.Gateway(dir.resolve("gw"), "gw-out", cfg)) {
                g.uplink.start();
                producer = new Thread(() -> {
                    try {
                        while (producing.get()) {
                            g.append(20);
                            Thread.sleep(20);
                        }
                    } catch (Throwable t) {
                        producerError.set(t);
                    }
                }, "producer");
                producer.start();

                await(() -> headEnd.count("gw-out") > 200, Duration.ofSeconds(60), () -> "first readings delivered");
                broker.stop();
                int acceptedAtStop = g.accepted.size();
                await(() -> !g.uplink.stats().connected(), Duration.ofSeconds(30), () -> "uplink noticed the outage");
                // the outage: readings keep being accepted into the buffer
                await(() -> g.accepted.size() > acceptedAtStop + 200, Duration.ofSeconds(60),
                        () -> "readings accepted during the outage: " + (g.accepted.size() - acceptedAtStop));
                assertTrue(g.buffer.stats().depth() > 0, "they wait in the buffer");
                broker.start(); // same port, same persistence (the head-end's session survives)
                await(() -> g.uplink.stats().connected() && g.uplink.stats().reconnects() >= 1, Duration.ofSeconds(60),
                        () -> "uplink back after the outage: " + g.uplink.stats());
                producing.set(false);
                producer.join(30_000);
                assertNull(producerError.get(), () -> "producer failed: " + producerError.get());

                List<Long> accepted = new ArrayList<>(g.accepted);
                await(() -> headEnd.count("gw-out") >= accepted.size(), Duration.ofSeconds(120),
                        () -> "head-end has " + headEnd.count("gw-out") + " of " + accepted.size() + "; " + g.uplink.stats()
                                + "\n" + broker.logTail(30));
                Set<Long> missing = new TreeSet<>(accepted);
                missing.removeAll(headEnd.readings.get("gw-out").keySet());
                assertEquals(Set.of(), missing, "no accepted reading lost");
                for (long seq : accepted) {
                    String batch = headEnd.batchOf("gw-out", seq);
                    assertNotNull(batch);
                    assertTrue(batch.contains(new String(g.storedBodies.get(seq), StandardCharsets.UTF_8)), "seq " + seq + " as stored");
                }
                await(() -> g.buffer.stats().depth() == 0, Duration.ofSeconds(60), () -> "buffer drained: " + g.buffer.stats());
                assertTrue(g.uplink.stats().reconnects() >= 1, "reconnected: " + g.uplink.stats());
            }
        } finally {
            producing.set(false);
            if (producer != null) producer.join(30_000);
            broker.stop();
        }
    }
}
