package io.meterlink.core.buffer;

import java.sql.SQLException;
import java.util.List;

/**
 * How the writer stores readings in the database: {@link SegmentLayout} (schema 3, readings packed)
 * or {@link RowLayout} (schema 2, a row each: what a release older than packing reads, kept while an
 * update is on trial). Each operation runs inside the writer's transaction and records what it
 * changed in the {@link Delta}. Confined to the writer thread.
 */
interface Layout {

    /** Stores the transaction's readings, in seq order. */
    void insert(List<PendingQueue.Slice> slices, long now, Delta d) throws SQLException;

    /** Deletes exactly the given seqs (the broker acknowledged them); seqs not stored are ignored. */
    void confirm(long[] seqs, Delta d) throws SQLException;

    /** Moves the given seqs to the dead-letter table under {@code reason}; seqs not stored are ignored. */
    void deadLetter(long[] seqs, String reason, long now, Delta d) throws SQLException;

    /** Lowest priority first, oldest first, until the accounted bytes fit {@code limit}. */
    void evict(Delta d, long limit, String reason) throws SQLException;

    /** Inserts stored readings as they are (a seq already present is skipped); returns how many were new. */
    int importRows(List<StoredReading> rows, Delta d) throws SQLException;

    /** The seqs sorted and cut into contiguous runs {@code {lo, hi}} (duplicates fold in). */
    static List<long[]> runs(long[] seqs) {
        long[] sorted = seqs.clone();
        java.util.Arrays.sort(sorted);
        List<long[]> runs = new java.util.ArrayList<>();
        int i = 0;
        while (i < sorted.length) {
            long lo = sorted[i];
            long hi = lo;
            i++;
            while (i < sorted.length && sorted[i] <= hi + 1) {
                hi = sorted[i];
                i++;
            }
            runs.add(new long[] {lo, hi});
        }
        return runs;
    }

    /** Forgets whatever a rolled-back transaction left half-built. */
    default void reset() {
    }
}
