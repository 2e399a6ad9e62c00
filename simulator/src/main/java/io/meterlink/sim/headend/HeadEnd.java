package io.meterlink.sim.headend;

import io.meterlink.payload.PayloadException;
import io.meterlink.payload.Payloads;
import io.meterlink.payload.ReadingsBatch;
import io.meterlink.payload.WireReading;
import io.meterlink.sim.broker.BrokerClients;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocketFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The virtual utility's head-end: subscribes to every gateway's readings (JSON v1 or compact v1,
 * decoded by the payload library) and holds each arrival
 * against what the simulator generated ({@link #verdict}): lost, duplicates by {@code (gw, seq)},
 * duplicates by measurement, out of order per meter series ({@link Order}), and latency from
 * generation to arrival.
 */
public final class HeadEnd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadEnd.class);

    private final Clock clock;
    private final MqttClient client;
    private final Set<GatewaySeq> seen = ConcurrentHashMap.newKeySet();
    private final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicLong duplicatesBySeq = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicLong readingsCarried = new AtomicLong();

    /**
     * Connects and subscribes to {@code <prefix>/+/readings} with QoS 1.
     *
     * @param socketFactory TLS socket factory trusting the broker's CA ({@code null} for tcp://)
     */
    public HeadEnd(String url, String username, char[] password, SSLSocketFactory socketFactory,
                   String topicPrefix, Clock clock) throws MqttException {
        this(url, username, password, socketFactory, topicPrefix, clock, false);
    }

    /** Without a connection: messages are handed to {@link #onMessage} directly (unit tests). */
    HeadEnd(Clock clock) {
        this.clock = clock;
        this.client = null;
    }

    /**
     * As above; with {@code persistentSession} the broker keeps the subscription and queues QoS 1
     * messages while the head-end is disconnected (a broker restart then loses nothing for it).
     */
    public HeadEnd(String url, String username, char[] password, SSLSocketFactory socketFactory,
                   String topicPrefix, Clock clock, boolean persistentSession) throws MqttException {
        this.clock = clock;
        this.client = BrokerClients.client(url, "head-end-");
        MqttConnectOptions o = BrokerClients.options(socketFactory, username, password);
        o.setCleanSession(!persistentSession);
        o.setAutomaticReconnect(true);
        // Paho's reconnect delay doubles up to 128 s: after a long broker outage the head-end would come
        // back long after the gateway and its wait would count as the readings' latency
        o.setMaxReconnectDelay(1000);
        o.setMaxInflight(100);
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
        // Seen once on a loaded machine: the embedded broker closed the connection right after its
        // CONNACK, so the SUBSCRIBE failed. Tried again (the automatic reconnect may be at work meanwhile).
        for (int attempt = 1; ; attempt++) {
            try {
                if (!client.isConnected()) client.connect(o);
                client.subscribe(topicPrefix + "/+/readings", 1);
                return;
            } catch (MqttException e) {
                if (attempt == 5) throw e;
                LOG.warn("head-end connect/subscribe failed ({}); trying again", e.toString());
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250L * attempt).toNanos());
            }
        }
    }

    /**
     * One readings message, JSON v1 or compact v1 (told apart by its first byte: the head-end subscribes
     * with MQTT 3.1.1, which carries no content type). The measurement key is rebuilt from each reading's
     * fields; a JSON reading whose own {@code "key"} disagrees makes the message malformed.
     */
    void onMessage(byte[] payload) {
        Instant now = clock.instant();
        messages.incrementAndGet();
        payloadBytes.addAndGet(payload.length);
        ReadingsBatch batch;
        try {
            batch = Payloads.decode(payload);
        } catch (PayloadException e) {
            LOG.warn("malformed readings message ({}): {}", e.kind(), e.getMessage());
            malformed.incrementAndGet();
            return;
        }
        readingsCarried.addAndGet(batch.readings().size());
        for (WireReading r : batch.readings()) {
            GatewaySeq seqKey = new GatewaySeq(batch.gw(), r.seq());
            if (!seen.add(seqKey)) {
                duplicatesBySeq.incrementAndGet();
                continue;
            }
            arrivals.add(new Arrival(seqKey, Verdict.keyOf(r.measurementKey(), r.value()), now, r.received()));
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

    /**
     * What came over the wire: readings messages, their MQTT payload bytes and the readings they
     * carried (duplicates included), e.g. {@code "wire: 120 messages, 3456 payload bytes, 6000 readings carried (0.6 bytes per reading)"}.
     */
    public String wireSummary() {
        long n = readingsCarried.get();
        return String.format(java.util.Locale.ROOT, "wire: %d messages, %d payload bytes, %d readings carried (%.1f bytes per reading)",
                messages.get(), payloadBytes.get(), n, n == 0 ? 0.0 : (double) payloadBytes.get() / n);
    }

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
        if (client == null) return;
        MqttException e = BrokerClients.close(client);
        if (e != null) LOG.debug("head-end close: {}", e.toString());
    }
}
