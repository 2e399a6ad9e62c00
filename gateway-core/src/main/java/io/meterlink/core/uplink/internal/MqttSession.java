package io.meterlink.core.uplink.internal;

/**
 * One connection to the broker through one MQTT client library (Paho v5 or v3). Every method is
 * called on the uplink thread only; the {@link Listener} is called on the library's threads and
 * must only hand events over.
 */
public interface MqttSession extends AutoCloseable {

    /**
     * What the broker granted at CONNACK.
     *
     * @param receiveMaximum    most unacknowledged QoS 1 publishes the broker takes
     * @param maximumPacketSize largest packet the broker takes (MQTT 5 §3.2.2.3.6), {@link Long#MAX_VALUE}
     *                          when it announces none; the library refuses a larger publish by dropping the connection
     */
    record Connected(int receiveMaximum, long maximumPacketSize) {
        /** A broker that announces no packet size limit (MQTT 3.1.1 has none to announce). */
        public Connected(int receiveMaximum) {
            this(receiveMaximum, Long.MAX_VALUE);
        }
    }

    /** Events from the library's threads. Implementations must not block and must not call the session. */
    interface Listener {
        /** The broker acknowledged the publish {@code tag}; {@code reasonCode} is the MQTT 5 PUBACK reason (0 for 3.1.1). */
        void acknowledged(PublishTag tag, int reasonCode);

        /** The publish {@code tag} failed locally or the connection went away under it. */
        void failed(PublishTag tag, Throwable cause);

        /** The connection is gone. */
        void connectionLost(Throwable cause);

        /** A message arrived on a subscribed topic. */
        default void messageArrived(String topic, byte[] payload) {
        }

        /**
         * A message arrived on a subscribed topic but its payload of {@code payloadBytes} was above the
         * packet limit and was discarded unread (MQTT 3.1.1; see {@link InboundPacketGuard}).
         */
        default void messageTooLarge(String topic, long payloadBytes) {
        }
    }

    /** Creates sessions; each {@link #open} builds a new client. */
    interface Factory {
        MqttSession open(Listener listener) throws MqttSessionException;
    }

    /** Blocks until connected, refused or timed out. */
    Connected connect() throws MqttSessionException;

    /** Starts a QoS 1 publish; the outcome arrives at the listener with {@code tag}. */
    void publish(String topic, byte[] payload, boolean retained, PublishTag tag) throws MqttSessionException;

    /**
     * As {@link #publish(String, byte[], boolean, PublishTag)}, announcing the payload's MQTT 5 content type
     * (and, for {@code application/json}, payload format indicator 1: UTF-8). MQTT 3.1.1 has neither:
     * the payload's first byte tells the format (docs/payloads.md).
     */
    default void publish(String topic, byte[] payload, boolean retained, PublishTag tag, String contentType) throws MqttSessionException {
        publish(topic, payload, retained, tag);
    }

    /** Starts a QoS 1 subscription to {@code filter}; messages arrive at the listener. */
    default void subscribe(String filter) throws MqttSessionException {
        throw new MqttSessionException("subscriptions are not supported by this session", null);
    }

    /** Clean DISCONNECT (no last will), waiting at most {@code timeoutMs}. Never throws. */
    void disconnect(long timeoutMs);

    /** Releases the client's threads; safe after a lost connection. Never throws. */
    @Override
    void close();

    /** A library error, with a message free of secrets. */
    final class MqttSessionException extends Exception {
        public MqttSessionException(String message, Throwable cause) { super(message, cause); }
    }
}
