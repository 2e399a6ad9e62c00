package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The counters behind {@link BufferStats}, kept in memory so that stats are cheap. Written by the
 * writer thread only, after each commit (the same figures are persisted in {@code meta} by that
 * commit); read by any thread.
 */
final class BufferState {
    volatile long depth;
    volatile long bytes;
    volatile long highestSeq;
    volatile long accepted;
    volatile long confirmed;
    volatile long evictedBytesCap;
    volatile long evictedDiskFree;
    volatile long deadLetters;
    /** Dead letters by reason since the database was created (meta {@code dead_letters.<reason>}). */
    final Map<String, Long> deadLettersByReason = new ConcurrentHashMap<>();
    /** Persistent alarms (from meta), in the order raised. */
    final List<Alarm> alarms = new CopyOnWriteArrayList<>();
    volatile String writeFailure;
    /** Set once the buffer opened; storage faults and their alarm. */
    volatile StorageFaults faults;

    Map<String, Long> evictions() {
        return Map.of(Schema.REASON_BYTES_CAP, evictedBytesCap, Schema.REASON_DISK_FREE, evictedDiskFree);
    }

    /** Every active alarm as published: persistent ones, the storage alarm, a non-storage write failure. */
    List<Alarm> alarmList() {
        List<Alarm> all = new ArrayList<>(alarms);
        StorageFaults f = faults;
        Alarm storage = f == null ? null : f.alarm();
        if (storage != null) {
            all.add(storage);
        }
        String wf = writeFailure;
        if (wf != null) {
            all.add(new Alarm(Alarm.Kind.WRITE_FAILED, wf));
        }
        return List.copyOf(all);
    }

    StorageStats storage() {
        StorageFaults f = faults;
        Map<String, Long> reasons = Map.copyOf(deadLettersByReason);
        return f == null ? new StorageStats(Map.of(), 0, 0, 0, reasons) : f.stats(reasons);
    }
}
