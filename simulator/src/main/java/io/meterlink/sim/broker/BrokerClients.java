package io.meterlink.sim.broker;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import javax.net.ssl.SSLSocketFactory;

/**
 * What the simulator's own MQTT clients (head-end, status watcher, sequence counter) share: a client
 * with a fresh id and no files, the connection options every one of them sets, and a close that
 * never throws.
 */
public final class BrokerClients {
    private BrokerClients() {
    }

    /** A client of {@code url} whose id is {@code idPrefix} and a fresh suffix; in-memory persistence. */
    public static MqttClient client(String url, String idPrefix) throws MqttException {
        return new MqttClient(url, idPrefix + Long.toHexString(System.nanoTime()), new MemoryPersistence());
    }

    /**
     * MQTT 3.1.1, a clean session, the broker's host name verified, over {@code tls} (none: plain TCP),
     * as {@code user} with {@code password} when a user is given.
     */
    public static MqttConnectOptions options(SSLSocketFactory tls, String user, char[] password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setHttpsHostnameVerificationEnabled(true);
        if (tls != null) o.setSocketFactory(tls);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password);
        }
        return o;
    }

    /** Disconnects (up to 2 s) when connected, then closes; a failure is returned, not thrown (closing anyway). */
    public static MqttException close(MqttClient client) {
        try {
            if (client.isConnected()) client.disconnect(2000);
            client.close();
            return null;
        } catch (MqttException e) {
            return e;
        }
    }
}
