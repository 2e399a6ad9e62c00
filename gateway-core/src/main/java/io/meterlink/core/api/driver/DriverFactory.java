package io.meterlink.core.api.driver;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.util.List;

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

    /**
     * The keys {@link #configure} reads, declared once with type, default, bounds and doc: the
     * configuration reference lists them in a table of this driver ({@link KeyGroup#table()} is
     * {@link #type()}). Empty for a driver that has not declared its keys.
     */
    default List<KeyGroup> keys() { return List.of(); }

    /** Offline decoding of this family for {@code meterlink decode}, when it offers one. */
    default Optional<FrameDecoder> decoder() { return Optional.empty(); }

    /** A validated, not yet started driver configuration. */
    interface DriverSpec {
        Driver create(DriverContext context);
    }
}
