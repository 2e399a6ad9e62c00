package io.meterlink.core.api.driver;

/**
 * A running source of readings: transport + framer + decoder + schedule for one meter family.
 * {@link #start()} returns quickly and runs the driver on its own thread(s); a driver recovers from
 * transport errors on its own (reopen with back-off) and never throws for bad input.
 */
public interface Driver extends AutoCloseable {
    void start();

    /** Stops the driver's threads and releases its transport; idempotent. */
    @Override
    void close();
}
