package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;

import java.util.Map;

/**
 * A snapshot of the buffer for status and {@code meterlink buffer stats}.
 *
 * @param depth             readings stored and not yet acknowledged
 * @param bytes             their accounted size in bytes (encoded bodies plus a fixed per-row overhead)
 * @param maxBytes          configured bound
 * @param oldestUnsentAgeMs age of the oldest stored reading in ms (0 when empty)
 * @param highestSeq        highest sequence number committed
 * @param accepted          readings accepted since start
 * @param confirmed         readings acknowledged and deleted since start
 * @param evictions         evicted readings by reason ({@code bytes_cap}, {@code disk_free}), since the database was created
 * @param deadLetters       readings in the dead-letter table
 * @param alarms            active alarms, e.g. {@code database_quarantined:/path/to/file}, {@code storage_full}
 * @param storage           storage faults, recoveries and dead letters by reason
 */
public record BufferStats(
        long depth,
        long bytes,
        long maxBytes,
        long oldestUnsentAgeMs,
        long highestSeq,
        long accepted,
        long confirmed,
        Map<String, Long> evictions,
        long deadLetters,
        java.util.List<Alarm> alarms,
        StorageStats storage) {

    /** Figures without storage-fault details ({@link StorageStats#NONE}). */
    public BufferStats(long depth, long bytes, long maxBytes, long oldestUnsentAgeMs, long highestSeq, long accepted,
                       long confirmed, Map<String, Long> evictions, long deadLetters, java.util.List<Alarm> alarms) {
        this(depth, bytes, maxBytes, oldestUnsentAgeMs, highestSeq, accepted, confirmed, evictions, deadLetters, alarms,
                StorageStats.NONE);
    }
}
