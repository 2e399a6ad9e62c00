package io.meterlink.core.runtime;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.uplink.CommandHandler;
import io.meterlink.core.uplink.TrialListener;
import io.meterlink.core.status.UplinkStats;

import java.time.Duration;

/** The running uplink as the runtime sees it. Thread-safe. */
public interface UplinkService extends AutoCloseable {
    /** Starts connecting and publishing on the uplink's own thread; returns quickly. */
    void start();

    UplinkStats stats();

    /** Hands the head-end's commands ({@code <prefix>/<gw>/cmd/#}) to {@code handler}; see {@link CommandHandler}. */
    default void commands(CommandHandler handler) {
        throw new UnsupportedOperationException("this uplink takes no commands");
    }

    /** Reconnects at once, reading the certificate and key files again (after a renewal). */
    default void reconnect() {
    }

    /**
     * Tries new connection settings (broker URL, CA) and keeps them only once the broker accepts the
     * connection; rolls back on its own after {@code bound}. See {@code MqttUplink#trial}.
     */
    default void trial(UplinkConfig next, Duration bound, TrialListener listener) {
        throw new UnsupportedOperationException("this uplink cannot try new settings");
    }

    /** True while the broker refuses our credentials (certificate revoked, expired, unknown). */
    default boolean credentialsRefused() {
        return false;
    }

    /** The heartbeat the uplink's loop beats for the service watchdog (before {@link #start()}); by default unwatched. */
    default void heartbeat(io.meterlink.core.api.driver.Heartbeat heartbeat) {
    }

    /** Stops publishing and disconnects; idempotent. */
    @Override
    void close();
}
