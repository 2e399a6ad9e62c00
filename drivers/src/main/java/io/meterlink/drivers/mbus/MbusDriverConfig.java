package io.meterlink.drivers.mbus;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * Validated settings of one wired M-Bus source. Immutable.
 *
 * @param endpoint      human-readable line, e.g. {@code serial:/dev/ttyUSB0@2400}
 * @param baud          line speed (also used for timing when the line is behind a TCP converter)
 * @param pollInterval  time between the starts of two polling cycles
 * @param timeoutMillis wait for an answer (first byte, and between bytes)
 * @param retries       repetitions after a missing or bad answer
 * @param meterZone     zone of the meters' clocks
 * @param meters        meters on the line
 */
public record MbusDriverConfig(String endpoint, int baud, Duration pollInterval, int timeoutMillis, int retries,
                               ZoneId meterZone, List<Meter> meters) {
    public MbusDriverConfig {
        meters = List.copyOf(meters);
    }

    /**
     * One meter to poll: primary address 0–250, or a secondary address (then {@code address} is -1),
     * and an optional name for logs.
     */
    public record Meter(int address, SecondaryAddress secondary, String name) {
        public Meter {
            if (secondary == null && (address < 0 || address > 250)) throw new IllegalArgumentException("primary address must be 0..250");
            if (secondary != null && address != -1) throw new IllegalArgumentException("a meter has a primary or a secondary address, not both");
        }

        public Meter(int address, String name) { this(address, null, name); }

        /** Key for status reports: the primary address, or the secondary id mask. */
        public String key() { return secondary == null ? String.valueOf(address) : secondary.id(); }

        @Override public String toString() {
            String where = secondary == null ? "primary " + address : secondary.toString();
            return name == null ? where : name + " (" + where + ")";
        }
    }
}
