package io.meterlink.core.api.driver;

import io.meterlink.core.api.Reading;

import java.util.List;

/**
 * Where drivers hand decoded readings. The gateway validates, stamps a sequence number and queues
 * them for the buffer's group commit. Blocks (back-pressure) while the pre-commit queue is full;
 * thread-safe.
 */
public interface ReadingSink {
    void accept(List<Reading> readings) throws InterruptedException;
}
