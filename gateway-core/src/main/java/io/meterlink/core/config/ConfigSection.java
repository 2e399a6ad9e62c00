package io.meterlink.core.config;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.util.List;

/**
 * A top-level section of the gateway configuration that another module declares (for example the
 * technician endpoint of {@code provisioning}), found through {@link java.util.ServiceLoader} like
 * the drivers, so the core never names it and an unknown key is still an error. The loader binds
 * the section every time: an absent section binds to its defaults.
 *
 * @param <T> the typed, validated value of the section (immutable)
 */
public interface ConfigSection<T> {
    /** The top-level key, e.g. {@code technician_endpoint}. */
    String key();

    /**
     * Binds the section's keys, recording every error on {@code settings} (and calling
     * {@link Settings#finish()}). Returns the value, or {@code null} when errors were recorded.
     */
    T bind(Settings settings);

    /** The section's keys, declared once (for the configuration reference); prefixed with {@link #key()}. */
    default List<KeyGroup> keys() { return List.of(); }
}
