package io.meterlink.sim.bench;

import io.meterlink.sim.broker.BrokerClients;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import javax.net.ssl.SSLSocketFactory;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * A light head-end for benchmarks: subscribes to {@code <prefix>/+/readings} (QoS 1) and records
 * which gateway seqs arrived by scanning each batch for its {@code "seq":} fields, without building a
 * JSON tree, so that the subscriber is not what a benchmark measures. The full check of contents is
 * {@link io.meterlink.sim.headend.HeadEnd}'s job. Thread-safe.
 */
public final class SeqCounter implements AutoCloseable {
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private final MqttClient client;
    private final BitSet seen = new BitSet();
    private long distinct;
    private long duplicates;
    private long messages;
    private long payloadBytes;
    private long carried;
    private long outOfRange;
    private long firstArrivalNanos;
    private long lastArrivalNanos;

    public SeqCounter(String url, SSLSocketFactory socketFactory, String topicPrefix) throws MqttException {
        this(url, socketFactory, topicPrefix, 1);
    }

    /** @param qos subscription QoS (1 normally; 0 to take the subscriber's acknowledgements out of a measurement) */
    public SeqCounter(String url, SSLSocketFactory socketFactory, String topicPrefix, int qos) throws MqttException {
        client = BrokerClients.client(url, "seq-counter-");
        MqttConnectOptions o = BrokerClients.options(socketFactory, null, null);
        o.setKeepAliveInterval(30);
        client.setCallback(new MqttCallback() {
            @Override public void connectionLost(Throwable cause) {
                System.err.println("seq counter lost its connection: " + cause);
            }

            @Override public void messageArrived(String topic, MqttMessage message) {
                onPayload(message.getPayload());
            }

            @Override public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(o);
        client.subscribe(topicPrefix + "/+/readings", qos);
    }

    synchronized void onPayload(byte[] p) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        try {
            count(p);
        } finally {
            handlingCpuNanos += THREADS.getCurrentThreadCpuTime() - cpu0;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private long handlingCpuNanos;

    /** CPU time this subscriber spent on the messages it received (decoding and counting), in nanoseconds. */
    public synchronized long handlingCpuNanos() { return handlingCpuNanos; }

    private void count(byte[] p) {
        long now = System.nanoTime();
        if (messages++ == 0) firstArrivalNanos = now;
        lastArrivalNanos = now;
        payloadBytes += p.length;
        java.util.function.LongConsumer count = seq -> {
            if (seq < 0 || seq > Integer.MAX_VALUE) {
                outOfRange++;
            } else if (seen.get((int) seq)) {
                duplicates++;
            } else {
                seen.set((int) seq);
                distinct++;
            }
        };
        if (io.meterlink.payload.CompactV1.isCompact(p)) {
            try {
                for (io.meterlink.payload.WireReading r : io.meterlink.payload.CompactV1.decode(p).readings()) {
                    carried++;
                    count.accept(r.seq());
                }
            } catch (io.meterlink.payload.PayloadException e) {
                outOfRange++;
            }
        } else {
            scanSeqs(p, seq -> {
                carried++;
                count.accept(seq);
            });
        }
    }

    /** MQTT payload bytes of every readings message received, duplicates included. */
    public synchronized long payloadBytes() { return payloadBytes; }

    /** Readings carried by those messages, duplicates included. */
    public synchronized long carried() { return carried; }

    /** Calls {@code sink} with the number after each {@code "seq":} in {@code p} (-1 when no digits follow). */
    static void scanSeqs(byte[] p, java.util.function.LongConsumer sink) {
        int i = 0;
        while ((i = indexOf(p, SEQ, i)) >= 0) {
            i += SEQ.length;
            long seq = 0;
            int digits = 0;
            while (i < p.length && p[i] >= '0' && p[i] <= '9' && digits < 19) {
                seq = seq * 10 + (p[i++] - '0');
                digits++;
            }
            sink.accept(digits == 0 ? -1 : seq);
        }
    }

    private static int indexOf(byte[] h, byte[] n, int from) {
        outer:
        for (int i = from; i <= h.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (h[i + j] != n[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** Distinct seqs that arrived. */
    public synchronized long distinct() { return distinct; }

    /** Arrivals of an already seen seq (allowed: at-least-once). */
    public synchronized long duplicates() { return duplicates; }

    /** Published messages received. */
    public synchronized long messages() { return messages; }

    /** {@code "seq":} fields without a usable number. */
    public synchronized long outOfRange() { return outOfRange; }

    /** Whether every seq in {@code [first, last]} arrived. */
    public synchronized boolean hasAll(long first, long last) {
        if (first < 0 || last > Integer.MAX_VALUE) return false;
        int missing = seen.nextClearBit((int) first);
        return missing > last;
    }

    /** {@link System#nanoTime()} of the first and the last message, 0 before any. */
    public synchronized long firstArrivalNanos() { return firstArrivalNanos; }

    public synchronized long lastArrivalNanos() { return lastArrivalNanos; }

    @Override
    public void close() {
        BrokerClients.close(client);
    }
}
