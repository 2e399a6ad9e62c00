package io.meterlink.core.runtime;

import io.meterlink.core.uplink.CommandHandler;
import io.meterlink.core.uplink.UplinkStats;

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
