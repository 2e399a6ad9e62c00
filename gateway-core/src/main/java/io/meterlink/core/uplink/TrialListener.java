package io.meterlink.core.uplink;

/**
 * Hears how a trial of new uplink settings ended ({@link MqttUplink#trial}). Called once, on the
 * uplink thread: implementations only hand the news on (never call the uplink back synchronously).
 */
public interface TrialListener {
    /** The broker named by the new settings accepted the connection (CONNACK success): they are kept. */
    void accepted(String url);

    /** No accepted connection within the bound: the previous settings are back in use; {@code why} is the last error. */
    void rolledBack(String url, String why);
}
