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
     * The guard every decoding step of this source runs through (see {@link DecodeGuard}): a decoder
     * fault on hostile input becomes a counted {@code other} bad input, never a stopped line.
     */
    default DecodeGuard decodeGuard() {
        return new DecodeGuard(sourceName());
    }

    /**
     * The gateway's state directory ({@code state_dir}), where a driver may keep what it learnt
     * across restarts in its own file (e.g. wM-Bus compact-frame formats, pulse counts). Default: none (the driver
     * keeps such state in memory only, or refuses to start when it must survive restarts).
     */
    default java.util.Optional<java.nio.file.Path> stateDir() {
        return java.util.Optional.empty();
    }
}
