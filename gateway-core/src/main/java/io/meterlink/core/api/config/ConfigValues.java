package io.meterlink.core.api.config;

import io.meterlink.core.api.config.ConfigText;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the scalar forms used in configuration files: durations and byte sizes. Stateless. */
public final class ConfigValues {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("(\\d{1,19})\\s*(B|KiB|MiB|GiB|TiB)?");
    private static final Pattern DECIMAL_BYTES = Pattern.compile("\\d+\\s*(k|K|M|G|T)B?");

    private ConfigValues() {
    }

    /** {@code 200ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 1d}; empty when the text is not a duration. */
    public static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /**
     * {@code 1000} (bytes), {@code 1000B}, {@code 64KiB}, {@code 256MiB}, {@code 1GiB}, {@code 1TiB}
     * (binary multiples); empty when the text is not a byte size or overflows a long.
     */
    public static Optional<Long> parseBytes(String text) {
        Matcher m = BYTES.matcher(text.trim().replace("_", ""));
        if (!m.matches()) return Optional.empty();
        try {
            long n = Long.parseLong(m.group(1));
            int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                case "TiB" -> 40;
                default -> 0;
            };
            if (shift > 0 && n > (Long.MAX_VALUE >> shift)) return Optional.empty();
            return Optional.of(n << shift);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the text looks like a decimal-unit size ({@code 10MB}), which we refuse as ambiguous. */
    public static boolean isDecimalByteUnit(String text) {
        return DECIMAL_BYTES.matcher(text.trim()).matches();
    }

    /** @deprecated use {@link ConfigText#duration}. */
    @Deprecated
    public static String format(Duration d) {
        return ConfigText.duration(d);
    }

    /** @deprecated use {@link ConfigText#bytes}. */
    @Deprecated
    public static String formatBytes(long bytes) {
        return ConfigText.bytes(bytes);
    }

    /** Whether a key name suggests a secret whose value must never be echoed. */
    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("pass") || k.contains("secret") || k.contains("key") || k.contains("token")
                || k.contains("cred") || k.contains("pin");
    }
}
