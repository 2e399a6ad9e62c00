package io.meterlink.core.config;

import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.driver.DriverFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * One entry of {@code sources:}: a named driver instance.
 *
 * @param name             unique name of the source (used in status and logs)
 * @param driver           the {@link DriverFactory#type()} that configured it
 * @param expectedInterval how often each meter of this source should be heard; a meter not heard for
 *                         three times this long is reported stale (default 15 min)
 * @param spec             the driver's validated settings, ready to create the driver
 */
public record SourceConfig(String name, String driver, Duration expectedInterval, DriverFactory.DriverSpec spec) {
    public static final Duration DEFAULT_EXPECTED_INTERVAL = GatewayKeys.SOURCE_EXPECTED_INTERVAL.defaultValue();

    public SourceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(expectedInterval, "expectedInterval");
        Objects.requireNonNull(spec, "spec");
    }
}
