package io.meterlink.core.api.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One configuration key, declared once: its name, type, default, bounds and a one-line doc. Binding
 * reads it through {@link Settings#get(ConfigKey)}, the only way a value is read (which records a {@link ConfigError} naming file,
 * line and key for a wrong type or an out-of-bounds value), the README's configuration tables are
 * generated from it ({@link KeyGroup}), and the simulator writes its values through {@link #format}.
 *
 * <p>{@link #name()} is the key's path relative to its group, e.g. {@code max_bytes},
 * {@code tls.ca_file} or {@code meters[].address}; {@link #local()} is its last part, the key of the
 * mapping it is read from. Immutable, thread-safe.
 *
 * @param <T> the bound value's type
 */
public final class ConfigKey<T> {
    /** What a key holds; decides how it is read, formatted and documented. */
    public enum Kind { TEXT, REQUIRED_TEXT, CHOICE, INTEGER, LONG, DECIMAL, BOOLEAN, DURATION, BYTES, PATH, SECRET, STRINGS, SECTION, SECTIONS }

    private final String name;
    private final Kind kind;
    private final T defaultValue;
    private final Comparable<?> min;
    private final Comparable<?> max;
    private final boolean minExclusive;
    private final Set<String> choices;
    private final String doc;
    private final String typeText;
    private final String defaultText;

    private ConfigKey(String name, Kind kind, T defaultValue, Comparable<?> min, Comparable<?> max, Set<String> choices,
                      String doc, String typeText, String defaultText) {
        this(name, kind, defaultValue, min, false, max, choices, doc, typeText, defaultText);
    }

    private ConfigKey(String name, Kind kind, T defaultValue, Comparable<?> min, boolean minExclusive, Comparable<?> max,
                      Set<String> choices, String doc, String typeText, String defaultText) {
        if (name == null || name.isBlank() || name.endsWith(".")) throw new IllegalArgumentException("key name is required");
        if (doc == null || doc.isBlank()) throw new IllegalArgumentException(name + ": a one-line doc is required");
        if (doc.contains("\n")) throw new IllegalArgumentException(name + ": the doc is one line");
        this.name = name;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.minExclusive = minExclusive;
        this.choices = choices;
        this.doc = doc;
        this.typeText = typeText;
        this.defaultText = defaultText;
    }

    // ---- declarations ----

    /** A text value; {@code defaultValue} may be {@code null} (absent: no value). */
    public static ConfigKey<String> text(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, Kind.TEXT, defaultValue, null, null, null, doc, null, null);
    }

    /** A text value that must be given and not be empty. */
    public static ConfigKey<String> required(String name, String doc) {
        return new ConfigKey<>(name, Kind.REQUIRED_TEXT, null, null, null, null, doc, null, null);
    }

    /** One of {@code allowed} (case-sensitive), in the order documented. */
    public static ConfigKey<String> choice(String name, String defaultValue, List<String> allowed, String doc) {
        Set<String> set = new LinkedHashSet<>(allowed);
        if (defaultValue != null && !set.contains(defaultValue)) throw new IllegalArgumentException(name + ": default is not allowed");
        return new ConfigKey<>(name, Kind.CHOICE, defaultValue, null, null, Collections.unmodifiableSet(set), doc, null, null);
    }

    /** A whole number within bounds; a {@code null} default: absent reads as {@code null} (the caller decides). */
    public static ConfigKey<Integer> integer(String name, Integer defaultValue, int min, int max, String doc) {
        checkBounds(name, defaultValue, min, max);
        return new ConfigKey<>(name, Kind.INTEGER, defaultValue, min, max, null, doc, null, null);
    }

    public static ConfigKey<Long> longValue(String name, Long defaultValue, long min, long max, String doc) {
        checkBounds(name, defaultValue, min, max);
        return new ConfigKey<>(name, Kind.LONG, defaultValue, min, max, null, doc, null, null);
    }

    /**
     * An exact decimal number (a pulse constant, a meter register) from {@code min} (exclusive when
     * {@code minExclusive}) up to {@code max}; a {@code null} default: absent reads as {@code null}.
     */
    public static ConfigKey<BigDecimal> decimal(String name, BigDecimal defaultValue, BigDecimal min, boolean minExclusive,
                                                BigDecimal max, String doc) {
        checkBounds(name, defaultValue, min, max);
        if (minExclusive && defaultValue != null && defaultValue.compareTo(min) == 0) throw new IllegalArgumentException(name + ": default out of bounds");
        return new ConfigKey<>(name, Kind.DECIMAL, defaultValue, min, minExclusive, max, null, doc, null, null);
    }

    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
        return new ConfigKey<>(name, Kind.BOOLEAN, defaultValue, null, null, null, doc, null, null);
    }

    /** Durations such as {@code 200ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 1d}. */
    public static ConfigKey<Duration> duration(String name, Duration defaultValue, Duration min, Duration max, String doc) {
        checkBounds(name, defaultValue, min, max);
        return new ConfigKey<>(name, Kind.DURATION, defaultValue, min, max, null, doc, null, null);
    }

    /** Byte sizes such as {@code 1000}, {@code 64KiB}, {@code 256MiB}. */
    public static ConfigKey<Long> bytes(String name, long defaultValue, long min, long max, String doc) {
        checkBounds(name, defaultValue, min, max);
        return new ConfigKey<>(name, Kind.BYTES, defaultValue, min, max, null, doc, null, null);
    }

    /** A path, resolved against the configuration file's directory when relative; absent: empty. */
    public static ConfigKey<Optional<Path>> path(String name, String doc) {
        return new ConfigKey<>(name, Kind.PATH, Optional.empty(), null, null, null, doc, null, null);
    }

    /** A secret (never echoed in errors); absent: empty. */
    public static ConfigKey<Optional<Secret>> secret(String name, String doc) {
        return new ConfigKey<>(name, Kind.SECRET, Optional.empty(), null, null, null, doc, null, null);
    }

    /** A list of text values; absent: empty. */
    public static ConfigKey<List<String>> strings(String name, String doc) {
        return new ConfigKey<>(name, Kind.STRINGS, List.of(), null, null, null, doc, null, null);
    }

    /** A nested mapping (e.g. {@code tls}); absent: an empty mapping. */
    public static ConfigKey<Settings> section(String name, String doc) {
        return new ConfigKey<>(name, Kind.SECTION, null, null, null, null, doc, null, null);
    }

    /** A list of mappings (e.g. {@code sources}, {@code meters}); absent: empty. */
    public static ConfigKey<List<Settings>> sections(String name, String doc) {
        return new ConfigKey<>(name, Kind.SECTIONS, null, null, null, null, doc, null, null);
    }

    /** This key with another default (a driver whose line speed differs, say), within the same bounds. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public ConfigKey<T> withDefault(T value) {
        if (min != null && value != null) checkBounds(name, (Comparable) value, (Comparable) min, (Comparable) max);
        if (kind == Kind.CHOICE && value != null && !choices.contains(value)) throw new IllegalArgumentException(name + ": default is not allowed");
        return new ConfigKey<>(name, kind, value, min, minExclusive, max, choices, doc, typeText, null);
    }

    /**
     * The same key (type, default, bounds) under another name: for a file that passes the value on
     * to the gateway under its own name (a scenario's {@code buffer_max_bytes} is the gateway's
     * {@code buffer.max_bytes}), so the bounds are not written twice.
     */
    public ConfigKey<T> renamed(String newName) {
        return new ConfigKey<>(newName, kind, defaultValue, min, minExclusive, max, choices, doc, typeText, defaultText);
    }

    /** This key with another one-line doc (the same key read by another driver, say). */
    public ConfigKey<T> withDoc(String text) {
        return new ConfigKey<>(name, kind, defaultValue, min, minExclusive, max, choices, text, typeText, defaultText);
    }

    /** This key with the type column of the reference written out (for a form the kind does not say, e.g. {@code ssl://host:port}). */
    public ConfigKey<T> describedAs(String type) {
        return new ConfigKey<>(name, kind, defaultValue, min, minExclusive, max, choices, doc, type, defaultText);
    }

    /** This key with its default described in words (a default computed from other keys, or "required"). */
    public ConfigKey<T> defaultDescribed(String text) {
        return new ConfigKey<>(name, kind, defaultValue, min, minExclusive, max, choices, doc, typeText, text);
    }

    private static <C extends Comparable<C>> void checkBounds(String name, C value, C min, C max) {
        if (min.compareTo(max) > 0) throw new IllegalArgumentException(name + ": min above max");
        if (value != null && (value.compareTo(min) < 0 || value.compareTo(max) > 0)) {
            throw new IllegalArgumentException(name + ": default out of bounds");
        }
    }

    // ---- description ----

    /** The key's path relative to its group, e.g. {@code tls.ca_file}, {@code meters[].address}. */
    public String name() { return name; }

    /** The last part of {@link #name()}: the key in the mapping that holds it. */
    public String local() {
        int dot = name.lastIndexOf('.');
        String last = dot < 0 ? name : name.substring(dot + 1);
        return last.endsWith("[]") ? last.substring(0, last.length() - 2) : last;
    }

    public Kind kind() { return kind; }

    /** The default, {@code null} when there is none (required, or absent means "none"). */
    public T defaultValue() { return defaultValue; }

    /** Lower bound (Integer, Long or Duration) of a numeric key, else {@code null}. */
    public Comparable<?> min() { return min; }

    /** Whether {@link #min()} itself is refused (a decimal that must be greater than it). */
    public boolean minExclusive() { return minExclusive; }

    /** Upper bound of a numeric key, else {@code null}. */
    public Comparable<?> max() { return max; }

    /** The allowed values of a {@link Kind#CHOICE} key, else empty. */
    public Set<String> choices() { return choices == null ? Set.of() : choices; }

    public String doc() { return doc; }

    /** Whether the key has bounds that binding enforces (numbers, durations, sizes, choices, booleans). */
    public boolean bounded() {
        return min != null || kind == Kind.CHOICE || kind == Kind.BOOLEAN;
    }

    /** The key's value written as in a configuration file ({@code 256MiB}, {@code 200ms}, {@code true}). */
    public String format(T value) {
        if (value == null) return "";
        return switch (kind) {
            case DURATION -> ConfigText.duration((Duration) value);
            case BYTES -> ConfigText.bytes((Long) value);
            case DECIMAL -> ((BigDecimal) value).toPlainString();
            case PATH -> ((Optional<?>) value).map(Object::toString).orElse("");
            case SECRET -> "******";
            case STRINGS -> "[" + String.join(", ", (List<String>) value) + "]";
            default -> value.toString();
        };
    }

    /** The type column of the reference: e.g. {@code 1–10000}, {@code duration, 1ms–10s}, {@code `full`, `normal`}. */
    public String typeText() {
        if (typeText != null) return typeText;
        return switch (kind) {
            case TEXT -> "text";
            case REQUIRED_TEXT -> "text, required";
            case CHOICE -> String.join(", ", choices.stream().map(c -> "`" + c + "`").toList());
            case INTEGER, LONG -> min + "–" + max;
            case DECIMAL -> "decimal, " + (minExclusive ? "> " : "≥ ") + ((BigDecimal) min).toPlainString() + ", ≤ " + ((BigDecimal) max).toPlainString();
            case BOOLEAN -> "boolean";
            case DURATION -> "duration, " + ConfigText.duration((Duration) min) + "–" + ConfigText.duration((Duration) max);
            case BYTES -> "size, " + ConfigText.bytes((Long) min) + "–" + ConfigText.bytes((Long) max);
            case PATH -> "path";
            case SECRET -> "text, secret";
            case STRINGS -> "list of text";
            case SECTION -> "mapping";
            case SECTIONS -> "list";
        };
    }

    /** The default column of the reference: the default as written in a file (in backticks), words, or empty. */
    public String defaultText() {
        if (defaultText != null) return defaultText;
        if (kind == Kind.REQUIRED_TEXT) return "required";
        if (defaultValue == null || defaultValue instanceof Optional<?> o && o.isEmpty()) return "";
        if (kind == Kind.STRINGS && ((List<?>) defaultValue).isEmpty()) return "";
        return "`" + format(defaultValue) + "`";
    }

    @Override public String toString() { return name; }
}
