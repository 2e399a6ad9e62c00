package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.ConfigKey;

import java.time.Duration;
import java.util.List;

/** The keys every push-meter source ({@code p1}, {@code sml}, {@code iec62056-21} mode D) reads through {@link StreamSource}. */
public final class StreamKeys {
    private StreamKeys() {
    }

    public static final ConfigKey<Integer> BAUD = ConfigKey.integer("baud", 9600, 300, 921600, "line speed");
    public static final ConfigKey<String> FRAMING = ConfigKey.choice("framing", "8N1", List.of("8N1", "7E1"),
            "character format");
    public static final ConfigKey<Duration> FRAME_TIMEOUT = ConfigKey.duration("frame_timeout", Duration.ofSeconds(3),
            Duration.ofMillis(200), Duration.ofMinutes(1), "an incomplete frame is dropped after this long without a byte");
}
