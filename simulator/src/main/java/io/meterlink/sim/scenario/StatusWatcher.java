package io.meterlink.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLSocketFactory;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Follows the gateway's retained status messages ({@code <prefix>/<gw>/status}) and keeps, for each
 * gateway run, the highest count of bad input it reported (the counters restart with the process).
 * A message belongs to the latest run started before its {@code time}. Thread-safe.
 */
final class StatusWatcher implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final MqttClient client;
    private final String topic;
    /** run start → highest bad-input total seen for that run. */
    private final TreeMap<Instant, Long> badByRun = new TreeMap<>();
    /** run start → kind → highest count seen for that run. */
    private final TreeMap<Instant, Map<String, Long>> kindsByRun = new TreeMap<>();
    private volatile String lastState = "";
    private volatile String lastBadInput = "{}";

    StatusWatcher(String url, String user, char[] password, SSLSocketFactory tls, String prefix, String gatewayId)
            throws MqttException {
        topic = prefix + "/" + gatewayId + "/status";
        client = new MqttClient(url, "scenario-status-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(2000);
        o.setHttpsHostnameVerificationEnabled(true);
        o.setSocketFactory(tls);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password);
        }
        client.setCallback(new MqttCallbackExtended() {
            @Override public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) new Thread(StatusWatcher.this::subscribe, "status-resubscribe").start(); // not from the callback
            }

            @Override public void connectionLost(Throwable cause) { }

            @Override public void messageArrived(String t, MqttMessage m) { onStatus(m.getPayload()); }

            @Override public void deliveryComplete(IMqttDeliveryToken token) { }
        });
        client.connect(o);
        subscribe();
    }

    private void subscribe() {
        try {
            client.subscribe(topic, 0);
        } catch (MqttException e) {
            // the next reconnect subscribes again
        }
    }

    /** A new gateway process started now. */
    synchronized void runStarted(Instant at) {
        badByRun.put(at, 0L);
        kindsByRun.put(at, new TreeMap<>());
    }

    void onStatus(byte[] payload) {
        try {
            JsonNode n = json.readTree(payload);
            lastState = n.path("state").asText("");
            if (!n.hasNonNull("time")) return;
            Instant time = Instant.parse(n.get("time").asText());
            lastBadInput = n.path("bad_input").toString();
            long bad = 0;
            Map<String, Long> kinds = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("bad_input").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                bad += e.getValue().asLong();
                kinds.put(e.getKey(), e.getValue().asLong());
            }
            synchronized (this) {
                Map.Entry<Instant, Long> run = badByRun.floorEntry(time);
                if (run != null && bad > run.getValue()) badByRun.put(run.getKey(), bad);
                Map.Entry<Instant, Map<String, Long>> byKind = kindsByRun.floorEntry(time);
                if (byKind != null) kinds.forEach((k, v) -> byKind.getValue().merge(k, v, Math::max));
            }
        } catch (Exception e) {
            // a status message we cannot read is not ours to judge here
        }
    }

    /** Bad input counted over every run. */
    synchronized long badFrames() {
        return badByRun.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Bad input by kind ({@code checksum}, {@code truncated}, {@code wrong_key}, …) counted over every run. */
    synchronized Map<String, Long> badInputByKind() {
        Map<String, Long> out = new TreeMap<>();
        kindsByRun.values().forEach(run -> run.forEach((k, v) -> out.merge(k, v, Long::sum)));
        return out;
    }

    /** The {@code bad_input} object of the last status message, as JSON (by kind). */
    String lastBadInput() {
        return lastBadInput;
    }

    /** The state of the last status message ({@code online}/{@code offline}), empty before any. */
    String lastState() {
        return lastState;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect(2000);
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
