package io.meterlink.sim.uplink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.payload.Payloads;
import io.meterlink.sim.headend.Tls;
import io.meterlink.sim.pki.TestPki;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The utility's side for tests: an MQTT 5 subscriber with its own client certificate on
 * {@code <prefix>/#}, with a persistent session (survives broker restarts), collecting every reading.
 */
final class HeadEndSubscriber implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final MqttAsyncClient client;
    /** gw → seq → the raw JSON text of the reading as received. */
    final Map<String, Map<Long, String>> readings = new ConcurrentHashMap<>();
    final Map<String, String> status = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> topics = new ConcurrentLinkedQueue<>();
    final AtomicLong duplicates = new AtomicLong();
    /** gw → the content type, payload format indicator and first byte of each readings message seen. */
    final Map<String, java.util.Set<String>> formats = new ConcurrentHashMap<>();

    HeadEndSubscriber(String url, TestPki pki, TestPki.Issued identity, String prefix) throws Exception {
        client = new MqttAsyncClient(url, "headend-" + System.nanoTime(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { }
            @Override public void mqttErrorOccurred(MqttException e) { }
            @Override public void messageArrived(String topic, MqttMessage m) throws Exception { receive(topic, m); }
            @Override public void deliveryComplete(IMqttToken t) { }
            @Override public void connectComplete(boolean reconnect, String uri) { }
            @Override public void authPacketArrived(int rc, MqttProperties p) { }
        });
        TestPki.KeyStoreFile ks = pki.serverKeyStore(identity);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(Tls.socketFactory(pki.caFile(), ks.path(), ks.password().toCharArray()));
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L); // keep our subscription and queue across broker restarts
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 2);
        o.setConnectionTimeout(20);
        client.connect(o).waitForCompletion(30_000);
        client.subscribe(prefix + "/#", 1).waitForCompletion(30_000);
    }

    private void receive(String topic, MqttMessage m) throws Exception {
        byte[] payload = m.getPayload();
        topics.add(topic);
        if (topic.endsWith("/status")) {
            JsonNode n = json.readTree(payload);
            status.put(n.get("gw").asText(), new String(payload, StandardCharsets.UTF_8));
            return;
        }
        if (!topic.endsWith("/readings")) return;
        MqttProperties props = m.getProperties();
        String type = props == null || props.getContentType() == null ? "none" : props.getContentType();
        formats.computeIfAbsent(topic.split("/")[2], k -> ConcurrentHashMap.newKeySet())
                .add(type + (props != null && Boolean.TRUE.equals(props.getPayloadFormat()) ? "; utf-8" : "")
                        + "; first byte 0x" + Integer.toHexString(payload[0] & 0xff));
        // either format, as the JSON v1 batch it stands for (a compact batch decodes to the same bytes)
        byte[] v1 = Payloads.toJson(payload);
        JsonNode batch = json.readTree(v1);
        String text = new String(v1, StandardCharsets.UTF_8);
        for (JsonNode r : batch.get("readings")) {
            String prev = readings.computeIfAbsent(r.get("gw").asText(), k -> new ConcurrentHashMap<>())
                    .put(r.get("seq").asLong(), text);
            if (prev != null) duplicates.incrementAndGet();
        }
    }

    int count(String gw) {
        Map<Long, String> m = readings.get(gw);
        return m == null ? 0 : m.size();
    }

    /** The payload of the batch that carried reading {@code (gw, seq)}, or null. */
    String batchOf(String gw, long seq) {
        Map<Long, String> m = readings.get(gw);
        return m == null ? null : m.get(seq);
    }

    @Override
    public void close() throws Exception {
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(5000);
        } finally {
            client.close(true);
        }
    }
}
