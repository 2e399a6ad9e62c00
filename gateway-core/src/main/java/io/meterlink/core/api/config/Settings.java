package io.meterlink.core.api.config;

import java.util.List;

/**
 * A typed view of one mapping in the configuration file. Keys are declared once as {@link ConfigKey}s
 * (type, default, bounds, doc) and read only through them, with {@link #get(ConfigKey)}: there is no
 * getter by key name, so no binder can read a key nobody declared. A missing required key, a wrong
 * type or an out-of-range value is recorded as a {@link ConfigError} naming file, line and key (the
 * read then returns the default, or {@code null} for a key without one, so that binding goes on and
 * every error is reported in one pass). {@link #finish()} records every key that was not read as
 * "unknown key".
 *
 * <p>Not thread-safe; used once, while binding.
 */
public interface Settings {
    /** Dotted path of this mapping, e.g. {@code uplink} or {@code sources[0]}; empty at the root. */
    String path();

    boolean has(String key);

    /** A nested mapping; an absent key gives an empty mapping at that path. */
    Settings section(String key);

    /** A list of mappings (e.g. {@code sources}). */
    List<Settings> sections(String key);

    /** Records an error at this key (for checks across keys, or driver-specific checks). */
    void error(String key, String message);

    /**
     * The value of a declared key (read from this mapping by its {@link ConfigKey#local()} name), with
     * the declaration's type, default and bounds; a wrong or out-of-bounds value is recorded here.
     */
    default <T> T get(ConfigKey<T> key) {
        return get(key, key.defaultValue());
    }

    /** As {@link #get(ConfigKey)}, with a default the caller computes (e.g. from another key). */
    <T> T get(ConfigKey<T> key, T defaultValue);

    /** Whether the declared key is present in this mapping with a non-null value. */
    default boolean has(ConfigKey<?> key) {
        return has(key.local());
    }

    /** Records an error at a declared key of this mapping. */
    default void error(ConfigKey<?> key, String message) {
        error(key.local(), message);
    }

    /** Records every key of this mapping that was not read as unknown. Call once per mapping when done. */
    void finish();
}
