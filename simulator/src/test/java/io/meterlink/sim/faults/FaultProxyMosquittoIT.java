package io.meterlink.sim.faults;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.pki.ClientTls;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.testing.Await;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fault proxy between a Paho client and a real Mosquitto with mutual TLS: TLS passes through
 * end to end (hostname verified against the broker's certificate), and cut / black hole behave as a
 * client sees them. A head-end client connected directly to the broker sees what got through.
 */
class FaultProxyMosquittoIT {
    private static final String TOPIC = "meterlink/v1/gw1/readings";

    @TempDir
    Path dir;

    private static void requireMosquitto() {
        if (MosquittoBroker.available()) return;
        String msg = "mosquitto is not installed (apt-get install mosquitto)";
        if (Ci.active()) fail(msg);
        Assumptions.abort(msg);
    }

    private static MqttClient client(String url, String id) throws MqttException {
        return new MqttClient(url, id, new MemoryPersistence());
    }

    private static MqttConnectOptions options(TestPki pki, String cn) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ClientTls.mutual(pki, pki.issueClient(cn)));
        o.setHttpsHostnameVerificationEnabled(true);
        o.setCleanSession(true);
        o.setKeepAliveInterval(120);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        return o;
    }

    @Test
    void tlsThroughProxy_blackHoleHoldsThenDelivers_cutDropsAndRefusesUntilRestore() throws Exception {
        requireMosquitto();
        TestPki pki = TestPki.create(dir.resolve("pki"));
        try (MosquittoBroker broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer()).build().start();
             FaultProxy proxy = new FaultProxy(0, "localhost", broker.port())) {
            List<String> received = new CopyOnWriteArrayList<>();
            MqttClient headEnd = client(broker.url(), "headend");
            headEnd.connect(options(pki, "headend"));
            headEnd.subscribe("meterlink/v1/#", 1, (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));

            AtomicInteger lost = new AtomicInteger();
            MqttClient gw = client("ssl://localhost:" + proxy.port(), "gw1");
            gw.setTimeToWait(3_000);
            gw.setCallback(new MqttCallback() {
                @Override public void connectionLost(Throwable cause) { lost.incrementAndGet(); }
                @Override public void messageArrived(String topic, MqttMessage message) {}
                @Override public void deliveryComplete(IMqttDeliveryToken token) {}
            });
            try {
                gw.connect(options(pki, "gw1"));
                gw.publish(TOPIC, "m1".getBytes(StandardCharsets.UTF_8), 1, false);
                Await.until(() -> received.contains("m1"));
                assertTrue(proxy.stats().bytesUpstream() > 0 && proxy.stats().bytesDownstream() > 0);

                proxy.blackHole();
                MqttException timeout = assertThrows(MqttException.class,
                        () -> gw.publish(TOPIC, "m2".getBytes(StandardCharsets.UTF_8), 1, false));
                assertEquals(MqttException.REASON_CODE_CLIENT_TIMEOUT, timeout.getReasonCode());
                assertFalse(received.contains("m2"), "nothing passes a black hole");
                assertEquals(0, lost.get(), "a black hole sends no RST: the client does not notice yet");
                proxy.restore();
                Await.until(() -> received.contains("m2"));

                proxy.cut();
                Await.until(() -> lost.get() == 1);
                assertFalse(gw.isConnected());
                assertThrows(MqttException.class, () -> gw.connect(options(pki, "gw1")), "refused while cut");
                proxy.restore();
                gw.connect(options(pki, "gw1"));
                gw.publish(TOPIC, "m3".getBytes(StandardCharsets.UTF_8), 1, false);
                Await.until(() -> received.contains("m3"));
                assertEquals(1, proxy.stats().cuts());
            } finally {
                if (gw.isConnected()) gw.disconnect();
                gw.close(true);
                headEnd.disconnect();
                headEnd.close(true);
            }
        }
    }
}
