package io.meterlink.core.buffer;

import java.util.Map;

/**
 * What storage faults did since the gateway started, for status and {@code meterlink buffer stats}.
 *
 * @param faults             failed transactions by alarm kind ({@code storage_full}, {@code storage_readonly},
 *                           {@code storage_io}, {@code storage_corrupt})
 * @param recoveries         times the writer connection was reopened after a fault
 * @param alarmRaisedAtMs    epoch ms when the active storage alarm was raised, 0 when none is active
 * @param lastClearedAtMs    epoch ms when a storage alarm was last cleared (writes succeeded again), 0 when never
 * @param deadLettersByReason readings dead-lettered by reason ({@code too_big}, {@code checksum_mismatch}, …)
 *                           since the database was created
 */
public record StorageStats(
        Map<String, Long> faults,
        long recoveries,
        long alarmRaisedAtMs,
        long lastClearedAtMs,
        Map<String, Long> deadLettersByReason) {

    public static final StorageStats NONE = new StorageStats(Map.of(), 0, 0, 0, Map.of());
}
