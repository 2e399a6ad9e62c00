package io.meterlink.core.buffer;

import java.util.HashMap;
import java.util.Map;

/** Figures changed by one writer transaction; applied to the {@link BufferState} after COMMIT. */
final class Delta {
    long depth;
    long bytes;
    long highestSeq;
    long accepted;
    long confirmed;
    long evictedBytesCap;
    long evictedDiskFree;
    long deadLetters;
    final Map<String, Long> deadLettersByReason = new HashMap<>();

    /** A reading stored (appended or imported). */
    void stored(long seq, int bodyLength) {
        depth++;
        bytes += bodyLength + Schema.ROW_OVERHEAD_BYTES;
        highestSeq = Math.max(highestSeq, seq);
    }

    /** The readings of {@code s} appended (their bytes are counted as each body is stored). */
    void appended(PendingQueue.Slice s) {
        depth += s.to() - s.from();
        accepted += s.to() - s.from();
        highestSeq = Math.max(highestSeq, s.batch().firstSeq + s.to() - 1);
    }

    /** {@code n} readings of {@code size} accounted bytes in all left the store. */
    void left(long n, long size) {
        depth -= n;
        bytes -= size;
    }

    void evicted(String reason, long n) {
        if (Schema.REASON_BYTES_CAP.equals(reason)) {
            evictedBytesCap += n;
        } else {
            evictedDiskFree += n;
        }
    }

    void deadLettered(String reason, long n) {
        deadLetters += n;
        deadLettersByReason.merge(reason, n, Long::sum);
    }
}
