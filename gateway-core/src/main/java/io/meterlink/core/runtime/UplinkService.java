package io.meterlink.core.runtime;

import io.meterlink.core.uplink.UplinkStats;

/** The running uplink as the runtime sees it. Thread-safe. */
public interface UplinkService extends AutoCloseable {
    /** Starts connecting and publishing on the uplink's own thread; returns quickly. */
    void start();

    UplinkStats stats();

    /** Stops publishing and disconnects; idempotent. */
    @Override
    void close();
}
