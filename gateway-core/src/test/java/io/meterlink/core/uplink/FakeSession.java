package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.PublishTag;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Scripted in-memory broker side of one connection; the test acknowledges publishes by hand or automatically. */
final class FakeSession implements MqttSession {
    record Published(String topic, byte[] payload, boolean retained, PublishTag tag) { }

    static final class Broker implements MqttSession.Factory {
        /** Every session opened, oldest first; read by the test thread while the uplink thread adds. */
        final List<FakeSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
        final BlockingQueue<Published> published = new LinkedBlockingQueue<>();
        /** Every publish in order, never drained (what {@code take()} removes from {@link #published} stays here). */
        final List<Published> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean refuseConnect;
        /** when set, each connect waits for it first (a connect attempt held in progress). */
        volatile java.util.concurrent.CountDownLatch connectGate;
        /** connects waiting at the gate now. */
        final java.util.concurrent.atomic.AtomicInteger atGate = new java.util.concurrent.atomic.AtomicInteger();
        /** reason code for the next readings acks (0 = success); -1 = do not auto-ack. */
        volatile int autoAck = 0;
        /** The Maximum Packet Size the broker announces; a larger readings publish drops the connection, as the library does. */
        volatile long maximumPacketSize = Long.MAX_VALUE;
        /** Readings publishes the library refused as larger than {@link #maximumPacketSize}. */
        final java.util.concurrent.atomic.AtomicInteger oversize = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public MqttSession open(Listener listener) throws MqttSessionException {
            FakeSession s = new FakeSession(this, listener);
            sessions.add(s);
            return s;
        }

        FakeSession last() { return sessions.get(sessions.size() - 1); }

        Published take() throws InterruptedException {
            Published p = published.poll(10, TimeUnit.SECONDS);
            if (p == null) throw new AssertionError("nothing published within 10 s");
            return p;
        }
    }

    final Broker broker;
    final Listener listener;
    volatile boolean connected;
    volatile boolean disconnectedCleanly;
    final List<String> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** For each subscription, how many messages the broker had received from any session before it. */
    final List<Integer> subscribedAfter = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeSession(Broker broker, Listener listener) {
        this.broker = broker;
        this.listener = listener;
    }

    @Override
    public Connected connect() throws MqttSessionException {
        java.util.concurrent.CountDownLatch gate = broker.connectGate;
        if (gate != null) {
            broker.atGate.incrementAndGet();
            try {
                if (!gate.await(20, TimeUnit.SECONDS)) throw new MqttSessionException("connect gate never opened (test)", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MqttSessionException("interrupted", e);
            } finally {
                broker.atGate.decrementAndGet();
            }
        }
        if (broker.refuseConnect) throw new MqttSessionException("refused by test", null);
        connected = true;
        return new Connected(100, broker.maximumPacketSize);
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, PublishTag tag) throws MqttSessionException {
        if (!connected) throw new MqttSessionException("not connected", null);
        if (tag instanceof PublishTag.Batch && payload.length + Drain.publishOverhead(topic) > broker.maximumPacketSize) {
            broker.oversize.incrementAndGet();
            drop(); // Paho's sender refuses the packet (51002) and shuts the connection down
            return;
        }
        Published p = new Published(topic, payload, retained, tag);
        broker.log.add(p);
        broker.published.add(p);
        int rc = broker.autoAck;
        if (!(tag instanceof PublishTag.Batch)) listener.acknowledged(tag, 0);
        else if (rc >= 0) listener.acknowledged(tag, rc);
    }

    void drop() {
        connected = false;
        listener.connectionLost(new java.io.IOException("link down (test)"));
    }

    @Override public void subscribe(String filter) throws MqttSessionException {
        if (!connected) throw new MqttSessionException("not connected", null);
        subscribedAfter.add(broker.log.size());
        subscriptions.add(filter);
    }

    /** The broker delivers a message on a subscribed topic. */
    void deliver(String topic, byte[] payload) {
        listener.messageArrived(topic, payload);
    }

    @Override public void disconnect(long timeoutMs) { disconnectedCleanly = true; connected = false; }

    volatile boolean closed;

    @Override public void close() { connected = false; closed = true; }
}
