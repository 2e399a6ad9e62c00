package io.meterlink.core.uplink;

import io.meterlink.core.status.UplinkStats;
import io.meterlink.core.status.CommandStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink's figures for status and its last error. Written by the uplink thread only; read from
 * any thread ({@link #stats}).
 */
final class UplinkState {

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);

    private volatile boolean connected;
    private volatile long reconnects;
    private volatile long published;
    private volatile long lastAckEpochMs;
    private volatile long refused;
    private volatile String lastError;
    private volatile boolean credentialsRefused;
    private long connects;
    private String lastLoggedError;

    /** Records {@code message} as the last error; logs it once (repeats at debug level with the cause). */
    void error(String message, Throwable cause) {
        lastError = message;
        if (!message.equals(lastLoggedError)) {
            log.warn("{}", message);
            lastLoggedError = message;
        } else {
            log.debug("{}", message, cause);
        }
    }

    /** The broker refused a publish (the error is recorded first: a reader that sees the count also sees why). */
    void refused(String message) {
        error(message, null);
        refused++;
    }

    /** A connection came up: an error from before it is history, not the current state. */
    void connected() {
        connected = true;
        credentialsRefused = false;
        lastError = null;
        if (connects++ > 0) reconnects++;
    }

    void disconnected() {
        connected = false;
    }

    /** A connection attempt failed; {@code byCredentials} when the broker refused our certificate or login. */
    void attemptFailed(boolean byCredentials) {
        credentialsRefused = byCredentials;
    }

    /** {@code readings} were acknowledged at {@code epochMs}. */
    void delivered(int readings, long epochMs) {
        published += readings;
        lastAckEpochMs = epochMs;
    }

    boolean credentialsRefused() {
        return credentialsRefused;
    }

    String lastError() {
        return lastError;
    }

    UplinkStats stats(CommandStats commands) {
        return new UplinkStats(connected, reconnects, published, lastAckEpochMs, refused, lastError, commands);
    }
}
