package io.meterlink.core.api.driver;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A running source of readings: transport + framer + decoder + schedule for one meter family.
 * {@link #start()} returns quickly and runs the driver on its own thread(s); a driver recovers from
 * transport errors on its own (reopen with back-off) and never throws for bad input.
 */
public interface Driver extends AutoCloseable {
    void start();

    /**
     * Reads one meter now, outside its schedule (a technician's "read this meter"). The readings also
     * go to the driver's sink as usual, so they are stored and published. Returns at once; the future
     * completes on the driver's thread with the meter's readings, or exceptionally with:
     * <ul>
     *   <li>{@link UnsupportedOperationException}: this driver cannot poll (a listening driver such as
     *       wireless M-Bus) — the default;</li>
     *   <li>{@link java.util.NoSuchElementException}: this driver does not know the meter (never heard it);</li>
     *   <li>{@link java.util.concurrent.TimeoutException}: the meter did not answer;</li>
     *   <li>any other exception: the line failed or the driver is closed.</li>
     * </ul>
     * The driver may serve the request only when its line is up: callers bound their wait and may
     * cancel the future, which the driver then skips. Thread-safe.
     */
    default CompletableFuture<List<Reading>> readNow(MeterId meter) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this driver cannot poll a meter on demand"));
    }

    /** Stops the driver's threads and releases its transport; idempotent. */
    @Override
    void close();
}
