package io.meterlink.core.uplink.internal;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** {@link MqttSession} over the Paho MQTT 3.1.1 client. */
public final class Paho3Session implements MqttSession {

    private final SessionSpec spec;
    private final Listener listener;
    private final MqttAsyncClient client;
    /** PUBLISH packets whose payload the guard cut, in arrival order (a reader thread adds, the callback takes). */
    private final Queue<InboundPacketGuard.Cut> cuts = new ConcurrentLinkedQueue<>();

    public Paho3Session(SessionSpec spec, Listener listener) throws MqttSessionException {
        this.spec = spec;
        this.listener = listener;
        try {
            this.client = new MqttAsyncClient(spec.url(), spec.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new MqttSessionException("cannot create MQTT 3.1.1 client: " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override public void connectionLost(Throwable cause) { listener.connectionLost(cause); }
            @Override public void messageArrived(String topic, MqttMessage message) {
                InboundPacketGuard.Cut cut = cuts.peek();
                if (cut != null && cut.topic().equals(topic) && cut.packetId() == message.getId() && message.getPayload().length == 0) {
                    cuts.poll();
                    listener.messageTooLarge(topic, cut.payloadBytes());
                } else {
                    listener.messageArrived(topic, message.getPayload());
                }
            }
            @Override public void deliveryComplete(IMqttDeliveryToken token) { }
        });
    }

    @Override
    public Connected connect() throws MqttSessionException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true); // SQLite holds everything unacknowledged; see Paho5Session
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(spec.keepAliveS());
        o.setConnectionTimeout(spec.connectTimeoutS());
        o.setMaxInflight(spec.maxInflight()); // above our own window (PITFALLS: "Too many publishes")
        // MQTT 3.1.1 has no Maximum Packet Size: the guard cuts oversized PUBLISH payloads on the socket
        // before Paho allocates them (PITFALLS: Paho reads a whole packet into one array)
        o.setSocketFactory(GuardedSockets.factory(spec.socketFactory().orElse(null),
                in -> new InboundPacketGuard(in, spec.maxPacketBytes(), true, cuts::add)));
        o.setHttpsHostnameVerificationEnabled(true); // off by default in v3 (PITFALLS)
        spec.username().ifPresent(o::setUserName);
        spec.password().ifPresent(o::setPassword);
        o.setWill(spec.willTopic(), spec.willPayload(), 1, true);
        try {
            IMqttToken t = client.connect(o);
            t.waitForCompletion(spec.connectTimeoutS() * 1000L + 5000);
            if (!client.isConnected()) throw new MqttSessionException("connect timed out", null);
            return new Connected(spec.maxInflight());
        } catch (MqttException e) {
            throw new MqttSessionException(UplinkErrors.describe(e), e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, PublishTag tag) throws MqttSessionException {
        try {
            // MQTT 3.1.1 PUBACK has no reason code: a refused publish is either acknowledged and
            // dropped by the broker or answered by closing the connection [MQTT-3.3.5-2]
            client.publish(topic, payload, 1, retained, null, new IMqttActionListener() {
                @Override public void onSuccess(IMqttToken token) { listener.acknowledged(tag, 0); }
                @Override public void onFailure(IMqttToken token, Throwable cause) { listener.failed(tag, cause); }
            });
        } catch (MqttException e) {
            throw new MqttSessionException(UplinkErrors.describe(e), e);
        }
    }

    @Override
    public void subscribe(String filter) throws MqttSessionException {
        try {
            client.subscribe(filter, 1);
        } catch (MqttException e) {
            throw new MqttSessionException(UplinkErrors.describe(e), e);
        }
    }

    @Override
    public void disconnect(long timeoutMs) {
        try {
            if (client.isConnected()) client.disconnect(timeoutMs).waitForCompletion(timeoutMs + 1000);
        } catch (MqttException | RuntimeException ignored) {
            // going away anyway
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnectForcibly(0, 1000, false);
        } catch (MqttException | RuntimeException ignored) {
            // best effort
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // best effort
        }
    }
}
