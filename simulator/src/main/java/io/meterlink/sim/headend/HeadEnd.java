package io.meterlink.sim.headend;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The virtual utility's head-end: subscribes to every gateway's readings and holds each arrival
 * against what the simulator generated ({@link #verdict}): lost, duplicates by {@code (gw, seq)},
 * duplicates by measurement, out of order per meter series ({@link Order}), and latency from
 * generation to arrival.
 */
public final class HeadEnd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadEnd.class);

    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
    private final Clock clock;
    private final MqttClient client;
    private final Set<GatewaySeq> seen = ConcurrentHashMap.newKeySet();
    private final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicLong duplicatesBySeq = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /**
     * Connects and subscribes to {@code <prefix>/+/readings} with QoS 1.
     *
     * @param socketFactory TLS socket factory trusting the broker's CA ({@code null} for tcp://)
     */
    public HeadEnd(String url, String username, char[] password, SSLSocketFactory socketFactory,
                   String topicPrefix, Clock clock) throws MqttException {
        this(url, username, password, socketFactory, topicPrefix, clock, false);
    }

    /**
     * As above; with {@code persistentSession} the broker keeps the subscription and queues QoS 1
     * messages while the head-end is disconnected (a broker restart then loses nothing for it).
     */
    public HeadEnd(String url, String username, char[] password, SSLSocketFactory socketFactory,
                   String topicPrefix, Clock clock, boolean persistentSession) throws MqttException {
        this.clock = clock;
        this.client = new MqttClient(url, "head-end-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(!persistentSession);
        o.setAutomaticReconnect(true);
        // Paho's reconnect delay doubles up to 128 s: after a long broker outage the head-end would come
        // back long after the gateway and its wait would count as the readings' latency
        o.setMaxReconnectDelay(1000);
        o.setHttpsHostnameVerificationEnabled(true);
        o.setMaxInflight(100);
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password);
        }
        if (socketFactory != null) o.setSocketFactory(socketFactory);
        client.setCallback(new MqttCallback() {
            @Override public void connectionLost(Throwable cause) {
                LOG.warn("head-end lost its connection: {}", cause.toString());
            }

            @Override public void messageArrived(String topic, MqttMessage message) {
                onMessage(message.getPayload());
            }

            @Override public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(o);
        client.subscribe(topicPrefix + "/+/readings", 1);
    }

    void onMessage(byte[] payload) {
        Instant now = clock.instant();
        JsonNode batch;
        try {
            batch = json.readTree(payload);
        } catch (IOException e) {
            malformed.incrementAndGet();
            return;
        }
        JsonNode readings = batch.path("readings");
        if (!readings.isArray()) {
            malformed.incrementAndGet();
            return;
        }
        for (JsonNode r : readings) {
            GatewaySeq seqKey = new GatewaySeq(r.path("gw").asText(batch.path("gw").asText()), r.path("seq").asLong(-1));
            JsonNode value = r.path("value");
            if (!r.hasNonNull("key") || !value.isNumber()) {
                malformed.incrementAndGet();
                continue;
            }
            if (!seen.add(seqKey)) {
                duplicatesBySeq.incrementAndGet();
                continue;
            }
            Instant received = null;
            try {
                if (r.hasNonNull("received")) received = Instant.parse(r.get("received").asText());
            } catch (java.time.format.DateTimeParseException e) {
                // matching falls back to arrival order
            }
            arrivals.add(new Arrival(seqKey, Verdict.keyOf(r.get("key").asText(), value.decimalValue()), now, received));
        }
    }

    /**
     * One reading that arrived with a new {@code (gw, seq)}.
     *
     * @param at       when it arrived here
     * @param received the gateway's receive time of the reading ({@code received} in the payload), or {@code null}
     */
    public record Arrival(GatewaySeq gwSeq, String key, Instant at, Instant received) {
        /** An arrival whose gateway receive time is unknown. */
        public Arrival(GatewaySeq gwSeq, String key, Instant at) {
            this(gwSeq, key, at, null);
        }
    }

    /** Readings that arrived with a new {@code (gw, seq)}. */
    public long delivered() { return arrivals.size(); }

    public long duplicatesBySeq() { return duplicatesBySeq.get(); }

    /** Messages or readings that could not be parsed. */
    public long malformed() { return malformed.get(); }

    /** Every arrival with a new {@code (gw, seq)} so far, in arrival order. */
    public List<Arrival> arrivals() { return List.copyOf(arrivals); }

    /** Whether {@code (gw, seq)} has arrived (without copying the set). */
    public boolean hasSeen(GatewaySeq gwSeq) { return seen.contains(gwSeq); }

    /** Distinct {@code (gw, seq)} seen so far. */
    public Set<GatewaySeq> seenSeqs() { return Set.copyOf(seen); }

    /** Holds every arrival so far against what was generated. */
    public Verdict verdict(Collection<Verdict.Generated> generated) {
        return Verdict.of(generated, List.copyOf(arrivals), duplicatesBySeq.get());
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect(2000);
            client.close();
        } catch (MqttException e) {
            LOG.debug("head-end close: {}", e.toString());
        }
    }
}
