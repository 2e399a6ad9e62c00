package io.meterlink.core.api.driver;

import java.time.Clock;

/** What the gateway gives a driver when starting it. */
public interface DriverContext {
    /** The source's name from the configuration (unique per gateway). */
    String sourceName();

    ReadingSink sink();

    Health health();

    Clock clock();
}
