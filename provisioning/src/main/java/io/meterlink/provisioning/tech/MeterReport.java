package io.meterlink.provisioning.tech;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One heard meter as the technician sees it.
 *
 * @param meter      the meter
 * @param source     the configured source that heard it last
 * @param lastSeen   when it was last heard
 * @param rssiDbm    signal strength of its last frame in dBm, {@code null} when the transport reports none
 * @param lastValues its most recent readings (one per register), possibly empty
 */
public record MeterReport(MeterId meter, String source, Instant lastSeen, Integer rssiDbm, List<Reading> lastValues) {
    public MeterReport {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(lastSeen, "lastSeen");
        lastValues = List.copyOf(lastValues);
    }
}
