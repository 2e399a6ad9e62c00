package io.meterlink.core.api.driver;

import io.meterlink.core.api.config.Settings;

import java.util.Optional;

/**
 * Plugin entry point, found through {@link java.util.ServiceLoader}. The core never names a
 * concrete driver; the configuration's {@code driver:} key selects a factory by {@link #type()}.
 */
public interface DriverFactory {
    /** Name used in configuration, e.g. {@code mbus}. */
    String type();

    /**
     * Reads and validates this driver's settings (errors go to {@code settings}), without opening
     * anything. Returns {@code null} only when errors were recorded.
     */
    DriverSpec configure(Settings settings);

    /** Offline decoding of this family for {@code meterlink decode}, when it offers one. */
    default Optional<FrameDecoder> decoder() { return Optional.empty(); }

    /** A validated, not yet started driver configuration. */
    interface DriverSpec {
        Driver create(DriverContext context);
    }
}
