package io.meterlink.core.status;

import io.meterlink.core.api.driver.DecodeException;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Refused frames and lines by kind, summed over sources: the status' {@code bad_input}. Immutable;
 * kinds never counted are absent (not zero).
 */
public final class BadInputCounts {
    /** Nothing refused. */
    public static final BadInputCounts NONE = new BadInputCounts(new EnumMap<>(DecodeException.Kind.class));

    private final EnumMap<DecodeException.Kind, Long> counts;

    private BadInputCounts(EnumMap<DecodeException.Kind, Long> counts) {
        this.counts = counts;
    }

    /** The counts given; negative counts are refused, zero counts are dropped. */
    public static BadInputCounts of(Map<DecodeException.Kind, Long> counts) {
        EnumMap<DecodeException.Kind, Long> copy = new EnumMap<>(DecodeException.Kind.class);
        counts.forEach((kind, n) -> {
            if (n < 0) throw new IllegalArgumentException("negative count for " + kind + ": " + n);
            if (n > 0) copy.put(kind, n);
        });
        return copy.isEmpty() ? NONE : new BadInputCounts(copy);
    }

    /** How many inputs of that kind were refused (0 when none). */
    public long get(DecodeException.Kind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    /** Every refused input. */
    public long total() {
        long sum = 0;
        for (long n : counts.values()) sum += n;
        return sum;
    }

    /** As the status message writes them: the kind's lower-case name, sorted by name. */
    public Map<String, Long> byName() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((kind, n) -> out.put(name(kind), n));
        return Collections.unmodifiableMap(out);
    }

    /** A kind as written in status and metrics ({@code wrong_key}). */
    public static String name(DecodeException.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override public boolean equals(Object o) {
        return o instanceof BadInputCounts other && counts.equals(other.counts);
    }

    @Override public int hashCode() { return counts.hashCode(); }

    @Override public String toString() { return byName().toString(); }
}
