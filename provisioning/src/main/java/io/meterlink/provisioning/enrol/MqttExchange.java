package io.meterlink.provisioning.enrol;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.provisioning.enrol.EnrolmentException.Reason;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One short MQTT 5 session for a request/answer exchange: connect (TLS, pinned CA, client
 * certificate or password), subscribe to the answer topic, publish the request (QoS 1), wait for
 * the answer. Paho's callback only enqueues (PITFALLS: no client calls from callbacks). Used from
 * one thread; {@link #close()} always.
 */
final class MqttExchange implements AutoCloseable {
    private final MqttAsyncClient client;
    private final BlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    private volatile Throwable lost;

    /**
     * @param broker   where and how to connect; {@code certFile}/{@code keyFile} replace the configured
     *                 client certificate when given (renewal probes)
     * @param clientId must differ from the uplink's, so that the broker does not drop the uplink
     */
    MqttExchange(UplinkConfig broker, String clientId, Optional<Path> certFile, Optional<Path> keyFile,
                 Duration timeout) throws EnrolmentException {
        try {
            client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new EnrolmentException(Reason.UNREACHABLE, "cannot create the MQTT client for " + broker.url() + ": " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { lost = r.getException(); answers.offer(new byte[0]); }
            @Override public void mqttErrorOccurred(MqttException e) { lost = e; }
            @Override public void messageArrived(String topic, MqttMessage message) { answers.offer(message.getPayload()); }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) Math.max(1, broker.connectTimeout().toSeconds()));
        o.setKeepAliveInterval((int) broker.keepAlive().toSeconds());
        o.setHttpsHostnameVerificationEnabled(true);
        if (broker.isTls()) {
            try {
                o.setSocketFactory(TlsContexts.socketFactory(broker.caFile().orElseThrow(),
                        certFile.isPresent() ? certFile : broker.certFile(), keyFile.isPresent() ? keyFile : broker.keyFile()));
            } catch (TlsContexts.TlsSetupException e) {
                close();
                throw new EnrolmentException(Reason.CREDENTIAL_REFUSED, e.getMessage(), e);
            }
        }
        broker.username().ifPresent(o::setUserName);
        broker.password().ifPresent(p -> o.setPassword(new String(p.reveal()).getBytes(StandardCharsets.UTF_8)));
        try {
            client.connect(o).waitForCompletion(timeout.toMillis());
            if (!client.isConnected()) throw new EnrolmentException(Reason.UNREACHABLE, "no connection to " + broker.url() + " within " + timeout, null);
        } catch (MqttException e) {
            close();
            throw new EnrolmentException(Errors.isCredentialRefusal(e) ? Reason.CREDENTIAL_REFUSED : Reason.UNREACHABLE,
                    "connect to " + broker.url() + " failed: " + Errors.describe(e), e);
        }
    }

    /** Subscribes (QoS 1) to {@code answerTopic}, then publishes {@code request} (QoS 1) to {@code requestTopic}. */
    void send(String requestTopic, byte[] request, String answerTopic) throws EnrolmentException {
        try {
            IMqttToken sub = client.subscribe(new MqttSubscription(answerTopic, 1));
            sub.waitForCompletion(30_000);
            int[] granted = sub.getReasonCodes();
            if (granted != null && granted.length > 0 && granted[0] >= 0x80) {
                throw new EnrolmentException(Reason.NOT_PERMITTED, "the broker refused the subscription to " + answerTopic
                        + " (reason 0x" + Integer.toHexString(granted[0]) + ")", null);
            }
            MqttMessage m = new MqttMessage(request, 1, false, null);
            IMqttToken pub = client.publish(requestTopic, m);
            pub.waitForCompletion(30_000);
            int[] rc = pub.getReasonCodes();
            if (rc != null && rc.length > 0 && rc[0] >= 0x80) {
                throw new EnrolmentException(Reason.NOT_PERMITTED, "the broker refused the request on " + requestTopic
                        + " (reason 0x" + Integer.toHexString(rc[0]) + ")", null);
            }
        } catch (MqttException e) {
            throw new EnrolmentException(Reason.UNREACHABLE, "sending to " + requestTopic + " failed: " + Errors.describe(e), e);
        }
    }

    /** The next message on the answer topic, waiting until {@code deadlineNanos} ({@link System#nanoTime()}). */
    byte[] next(long deadlineNanos) throws EnrolmentException, InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        byte[] a = left <= 0 ? null : answers.poll(left, TimeUnit.NANOSECONDS);
        if (a == null) throw new EnrolmentException(Reason.TIMEOUT, "no answer from the provisioning service in time", null);
        if (a.length == 0 && lost != null) {
            throw new EnrolmentException(Reason.UNREACHABLE, "connection lost: " + Errors.describe(lost), lost);
        }
        return a;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
        } catch (MqttException | RuntimeException ignored) {
            // going away
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // best effort
        }
    }
}
