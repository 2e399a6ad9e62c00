package io.meterlink.core.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A typed view of one mapping in the configuration file. Keys are declared once as {@link ConfigKey}s
 * (type, default, bounds, doc) and read with {@link #get(ConfigKey)}; the typed getters below are what
 * a declaration reads through: they are deprecated for direct use and stay, delegating nothing away,
 * for code that has not declared its keys yet (drivers written against the earlier API). A missing required key, a wrong type or an out-of-range value is
 * recorded as a {@link ConfigError} naming file, line and key (the getter then returns the default
 * or a neutral value so that binding goes on and every error is reported in one pass).
 * {@link #finish()} records every key that no getter asked for as "unknown key".
 *
 * <p>Not thread-safe; used once, while binding.
 */
public interface Settings {
    /** Dotted path of this mapping, e.g. {@code uplink} or {@code sources[0]}; empty at the root. */
    String path();

    boolean has(String key);

    @Deprecated
    String string(String key, String defaultValue);

    @Deprecated
    String requiredString(String key);

    /** One of {@code allowed} (case-sensitive). */
    @Deprecated
    String choice(String key, String defaultValue, Set<String> allowed);

    @Deprecated
    int integer(String key, int defaultValue, int min, int max);

    @Deprecated
    long longValue(String key, long defaultValue, long min, long max);

    @Deprecated
    boolean bool(String key, boolean defaultValue);

    /** Durations such as {@code 200ms}, {@code 5s}, {@code 10m}, {@code 1h}. */
    @Deprecated
    Duration duration(String key, Duration defaultValue, Duration min, Duration max);

    /** Byte sizes such as {@code 256MiB}, {@code 64KiB}, {@code 1000}. */
    @Deprecated
    long bytes(String key, long defaultValue, long min, long max);

    /** A path, resolved against the configuration file's directory when relative. */
    @Deprecated
    Optional<Path> path(String key);

    /** A secret; never echoed in errors. */
    @Deprecated
    Optional<Secret> secret(String key);

    /** A nested mapping; an absent key gives an empty mapping at that path. */
    Settings section(String key);

    /** A list of mappings (e.g. {@code sources}). */
    List<Settings> sections(String key);

    @Deprecated
    List<String> strings(String key);

    /** Records an error at this key (for checks across keys, or driver-specific checks). */
    void error(String key, String message);

    /**
     * The value of a declared key (read from this mapping by its {@link ConfigKey#local()} name), with
     * the declaration's type, default and bounds; errors are recorded as by the typed getters.
     */
    default <T> T get(ConfigKey<T> key) {
        return key.read(this);
    }

    /** As {@link #get(ConfigKey)}, with a default the caller computes (e.g. from another key). */
    default <T> T get(ConfigKey<T> key, T defaultValue) {
        return key.read(this, defaultValue);
    }

    /** Whether the declared key is present in this mapping with a non-null value. */
    default boolean has(ConfigKey<?> key) {
        return has(key.local());
    }

    /** Records an error at a declared key of this mapping. */
    default void error(ConfigKey<?> key, String message) {
        error(key.local(), message);
    }

    /** Records every key of this mapping that no getter read as unknown. Call once per mapping when done. */
    void finish();
}
