package io.meterlink.core.api.config;

import java.time.Duration;

/** Durations and byte sizes written the way a configuration file writes them. Stateless. */
public final class ConfigText {
    private ConfigText() {
    }

    /** A duration in the shortest of our own units that represents it exactly, e.g. {@code 90s}, {@code 15m}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }

    /** A byte count in the largest binary unit that represents it exactly, e.g. {@code 256MiB}. */
    public static String bytes(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) return (bytes / unit) + units[i];
        }
        return Long.toString(bytes);
    }
}
