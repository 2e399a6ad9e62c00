package io.meterlink.core.api.driver;

import java.nio.file.Path;
import java.time.Clock;

/** What the gateway gives a driver when starting it. */
public interface DriverContext {
    /** The source's name from the configuration (unique per gateway). */
    String sourceName();

    ReadingSink sink();

    Health health();

    Clock clock();

    /**
     * The heartbeat of the driver's loop for the service watchdog (see {@link Heartbeat}): a driver
     * whose thread beats is watched, and a stuck one gets the service restarted. Default: nobody watches.
     */
    default Heartbeat heartbeat() {
        return Heartbeat.NONE;
    }

    /**
     * The gateway's state directory ({@code state_dir}), where a driver keeps state that must survive
     * restarts (e.g. pulse counts); {@code null} when the embedding gives none (such a driver refuses to start).
     */
    default Path stateDir() {
        return null;
    }
}
