package io.meterlink.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.broker.BrokerClients;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import javax.net.ssl.SSLSocketFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
    /** Storage alarms ({@code storage_*} in {@code buffer.alarms}) by status time: raised, and cleared (null while active). */
    private final List<StorageAlarm> storageAlarms = new ArrayList<>();

    /** A storage alarm seen in status: when it first appeared and when a status first showed it gone. */
    public record StorageAlarm(String alarm, Instant raisedAt, Instant clearedAt) {
    }

    StatusWatcher(String url, String user, char[] password, SSLSocketFactory tls, String prefix, String gatewayId)
            throws MqttException {
        topic = prefix + "/" + gatewayId + "/status";
        client = BrokerClients.client(url, "scenario-status-");
        MqttConnectOptions o = BrokerClients.options(tls, user, password);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(2000);
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
            List<String> storage = new ArrayList<>();
            for (JsonNode a : n.path("buffer").path("alarms")) {
                if (a.asText().startsWith("storage_")) storage.add(a.asText());
            }
            // the gateway's own times when it reports them (the alarm may be raised while no status gets through)
            Instant raised = instant(n.path("buffer").path("storage").path("alarm_raised_at"), time);
            Instant cleared = instant(n.path("buffer").path("storage").path("alarm_cleared_at"), time);
            synchronized (this) {
                trackStorage(storage, raised, cleared);
                Map.Entry<Instant, Long> run = badByRun.floorEntry(time);
                if (run != null && bad > run.getValue()) badByRun.put(run.getKey(), bad);
                Map.Entry<Instant, Map<String, Long>> byKind = kindsByRun.floorEntry(time);
                if (byKind != null) kinds.forEach((k, v) -> byKind.getValue().merge(k, v, Math::max));
            }
        } catch (Exception e) {
            // a status message we cannot read is not ours to judge here
        }
    }

    private static Instant instant(JsonNode n, Instant otherwise) {
        return n.isTextual() ? Instant.parse(n.asText()) : otherwise;
    }

    private void trackStorage(List<String> active, Instant raisedAt, Instant clearedAt) {
        for (int i = 0; i < storageAlarms.size(); i++) {
            StorageAlarm a = storageAlarms.get(i);
            if (a.clearedAt() == null && !active.contains(a.alarm())) {
                storageAlarms.set(i, new StorageAlarm(a.alarm(), a.raisedAt(), clearedAt));
            }
        }
        for (String alarm : active) {
            if (storageAlarms.stream().noneMatch(a -> a.alarm().equals(alarm) && a.clearedAt() == null)) {
                storageAlarms.add(new StorageAlarm(alarm, raisedAt, null));
            }
        }
    }

    /** Every storage alarm seen, in the order raised. */
    synchronized List<StorageAlarm> storageAlarms() {
        return List.copyOf(storageAlarms);
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
        BrokerClients.close(client);
    }
}
