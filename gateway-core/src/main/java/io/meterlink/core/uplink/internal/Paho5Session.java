package io.meterlink.core.uplink.internal;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;

/** {@link MqttSession} over the Paho MQTT 5 client. */
public final class Paho5Session implements MqttSession {

    private final SessionSpec spec;
    private final Listener listener;
    private final MqttAsyncClient client;

    public Paho5Session(SessionSpec spec, Listener listener) throws MqttSessionException {
        this.spec = spec;
        this.listener = listener;
        try {
            // MemoryPersistence only: SQLite is the store of record (PITFALLS: Paho persistence)
            this.client = new MqttAsyncClient(spec.url(), spec.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new MqttSessionException("cannot create MQTT 5 client: " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) {
                listener.connectionLost(r.getException() != null ? r.getException()
                        : new MqttException(r.getReturnCode()));
            }
            @Override public void mqttErrorOccurred(MqttException e) { listener.connectionLost(e); }
            @Override public void messageArrived(String topic, MqttMessage message) { listener.messageArrived(topic, message.getPayload()); }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        });
    }

    @Override
    public Connected connect() throws MqttSessionException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        // Clean start, no session expiry: the broker need not keep our in-flight publishes, because
        // every unacknowledged reading is still in SQLite and is resent after each connect.
        o.setCleanStart(true);
        o.setAutomaticReconnect(false); // our own loop (PITFALLS: Paho reconnect)
        o.setKeepAliveInterval(spec.keepAliveS());
        o.setConnectionTimeout(spec.connectTimeoutS());
        // the broker must not send us a larger packet (MQTT 5 §3.1.2.11.4); the guard drops the
        // connection should one arrive anyway, before Paho allocates it
        o.setMaximumPacketSize((long) spec.maxPacketBytes());
        o.setSocketFactory(GuardedSockets.factory(spec.socketFactory().orElse(null),
                in -> new InboundPacketGuard(in, spec.maxPacketBytes(), false, cut -> { })));
        o.setHttpsHostnameVerificationEnabled(true);
        spec.username().ifPresent(o::setUserName);
        spec.password().ifPresent(p -> o.setPassword(new String(p).getBytes(StandardCharsets.UTF_8)));
        MqttMessage will = new MqttMessage(spec.willPayload(), 1, true, null);
        o.setWill(spec.willTopic(), will);
        try {
            IMqttToken t = client.connect(o);
            t.waitForCompletion(spec.connectTimeoutS() * 1000L + 5000);
            if (!client.isConnected()) {
                throw new MqttSessionException("connect timed out", null);
            }
            Integer rm = t.getResponseProperties() == null ? null : t.getResponseProperties().getReceiveMaximum();
            Long mps = t.getResponseProperties() == null ? null : t.getResponseProperties().getMaximumPacketSize();
            return new Connected(rm == null || rm <= 0 ? 65535 : rm, mps == null || mps <= 0 ? Long.MAX_VALUE : mps);
        } catch (MqttException e) {
            throw new MqttSessionException(UplinkErrors.describe(e), e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, PublishTag tag) throws MqttSessionException {
        publish(topic, payload, retained, tag, null);
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, PublishTag tag, String contentType) throws MqttSessionException {
        MqttMessage message = new MqttMessage(payload, 1, retained, null);
        if (contentType != null) {
            MqttProperties p = new MqttProperties();
            p.setContentType(contentType); // MQTT 5 §3.3.2.3.9
            p.setPayloadFormat(contentType.startsWith("application/json")); // §3.3.2.3.2: 1 = UTF-8 text
            message.setProperties(p);
        }
        try {
            client.publish(topic, message, null, new MqttActionListener() {
                @Override public void onSuccess(IMqttToken token) {
                    int[] rc = token.getReasonCodes();
                    listener.acknowledged(tag, rc == null || rc.length == 0 ? 0 : rc[0]);
                }
                @Override public void onFailure(IMqttToken token, Throwable cause) { listener.failed(tag, cause); }
            });
        } catch (MqttException e) {
            throw new MqttSessionException(UplinkErrors.describe(e), e);
        }
    }

    @Override
    public void subscribe(String filter) throws MqttSessionException {
        try {
            client.subscribe(new MqttSubscription(filter, 1));
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
