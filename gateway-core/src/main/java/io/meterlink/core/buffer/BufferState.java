package io.meterlink.core.buffer;

import java.util.List;
import java.util.Map;
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
    /** Persistent alarms (from meta) and transient ones (write failures), in the order raised. */
    final List<String> alarms = new CopyOnWriteArrayList<>();
    volatile String writeFailure;

    Map<String, Long> evictions() {
        return Map.of(Schema.REASON_BYTES_CAP, evictedBytesCap, Schema.REASON_DISK_FREE, evictedDiskFree);
    }

    List<String> alarmList() {
        String wf = writeFailure;
        if (wf == null) {
            return List.copyOf(alarms);
        }
        List<String> all = new java.util.ArrayList<>(alarms);
        all.add("write_failed:" + wf);
        return List.copyOf(all);
    }
}
