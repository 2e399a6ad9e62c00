package io.meterlink.core.uplink;

import io.meterlink.core.uplink.internal.PublishTag;

import java.time.Duration;

/**
 * What reaches the uplink thread through its queue: from Paho's threads (acknowledgements, losses,
 * commands), from the buffer (a commit), from any caller (stop, reconnect, trial, replies).
 */
sealed interface UplinkEvent {

    /** New settings to try (see {@link MqttUplink#trial}). */
    record Trial(UplinkSettings next, Duration bound, TrialListener listener) implements UplinkEvent {
    }

    /** A command handler was set: subscribe now if connected. */
    enum Subscribe implements UplinkEvent { INSTANCE }

    /** Drop the connection and connect again at once. */
    enum Reconnect implements UplinkEvent { INSTANCE }

    /** A message on the command filter of connection {@code gen}. */
    record Command(long gen, String topic, byte[] payload) implements UplinkEvent {
    }

    /** A command reply to publish. */
    record Reply(byte[] payload) implements UplinkEvent {
    }

    /** Readings were committed. */
    enum Wake implements UplinkEvent { INSTANCE }

    /** {@link MqttUplink#close()} was called. */
    enum Stop implements UplinkEvent { INSTANCE }

    /** The broker acknowledged {@code tag} on connection {@code gen}. */
    record Ack(long gen, PublishTag tag, int reasonCode) implements UplinkEvent {
    }

    /** The publish {@code tag} failed on connection {@code gen}. */
    record Failed(long gen, PublishTag tag, Throwable cause) implements UplinkEvent {
    }

    /** Connection {@code gen} is gone. */
    record Lost(long gen, Throwable cause) implements UplinkEvent {
    }
}
