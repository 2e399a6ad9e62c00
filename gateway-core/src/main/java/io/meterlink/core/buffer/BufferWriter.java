package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one transaction per {@link PendingQueue.Work} on the single writer connection:
 * {@code BEGIN IMMEDIATE}; confirms and dead letters; inserts; eviction when over the byte bound or
 * while the disk is low; meta counters; {@code COMMIT}. Counters are published to
 * {@link BufferState} only after the commit. Confined to the writer thread.
 */
final class BufferWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferWriter.class);
    private static final int EVICT_CHUNK = 256;
    /** Rows per multi-row INSERT: one statement step for many rows, far fewer JNI calls. */
    static final int INSERT_CHUNK = 100;
    private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?)";
    private static final int COLUMNS = 6;

    private final Connection conn;
    private final Clock clock;
    private final BufferState state;
    private final long maxBytes;
    private final DiskGuard disk;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement insert;
    private final PreparedStatement insertChunk;
    private final PreparedStatement setMeta;
    private final PreparedStatement evictCandidates;
    private final PreparedStatement deleteOne;
    private final PreparedStatement rangeSum;
    private final PreparedStatement rangeDelete;
    private final PreparedStatement sizeOf;
    private final PreparedStatement toDeadLetter;
    private final PreparedStatement importRow;
    /** The byte bound frozen when the disk went low ("stop growing"); -1 while the disk is fine. */
    private long diskCapBytes = -1;

    BufferWriter(Connection conn, Clock clock, BufferState state, long maxBytes, DiskGuard disk) throws SQLException {
        this.conn = conn;
        this.clock = clock;
        this.state = state;
        this.maxBytes = maxBytes;
        this.disk = disk;
        this.begin = conn.prepareStatement("BEGIN IMMEDIATE");
        this.commit = conn.prepareStatement("COMMIT");
        this.rollback = conn.prepareStatement("ROLLBACK");
        String insertSql = "INSERT INTO readings(seq, priority, accepted_at, size, body, crc) VALUES " + INSERT_ROW;
        this.insert = conn.prepareStatement(insertSql);
        this.insertChunk = conn.prepareStatement(insertSql + (", " + INSERT_ROW).repeat(INSERT_CHUNK - 1));
        this.setMeta = conn.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        this.evictCandidates = conn.prepareStatement("SELECT seq, size FROM readings ORDER BY priority, seq LIMIT " + EVICT_CHUNK);
        this.deleteOne = conn.prepareStatement("DELETE FROM readings WHERE seq = ?");
        this.rangeSum = conn.prepareStatement("SELECT count(*), total(size) FROM readings WHERE seq BETWEEN ? AND ?");
        this.rangeDelete = conn.prepareStatement("DELETE FROM readings WHERE seq BETWEEN ? AND ?");
        this.sizeOf = conn.prepareStatement("SELECT size FROM readings WHERE seq = ?");
        this.importRow = conn.prepareStatement("INSERT OR IGNORE INTO readings(seq, priority, accepted_at, size, body, crc)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
        this.toDeadLetter = conn.prepareStatement(
                "INSERT OR REPLACE INTO dead_letter(seq, reason, at, body) SELECT seq, ?, ?, body FROM readings WHERE seq = ?");
    }

    /** Figures changed by one transaction; applied to the state after COMMIT. */
    private static final class Delta {
        long depth;
        long bytes;
        long highestSeq;
        long accepted;
        long confirmed;
        long evictedBytesCap;
        long evictedDiskFree;
        long deadLetters;
        final java.util.Map<String, Long> deadLettersByReason = new java.util.HashMap<>();
    }

    /** Runs the transaction. Throws when it was rolled back; then nothing of it is applied. */
    void apply(PendingQueue.Work work) throws SQLException {
        Delta d = new Delta();
        d.depth = state.depth;
        d.bytes = state.bytes;
        d.highestSeq = state.highestSeq;
        boolean low = disk.isLow();
        begin.executeUpdate();
        boolean done = false;
        try {
            long now = clock.millis();
            for (PendingQueue.Command c : work.commands()) {
                if (c instanceof PendingQueue.Confirm confirm) {
                    confirm(confirm.seqs(), d);
                } else if (c instanceof PendingQueue.DeadLetter dl) {
                    deadLetter(dl.seqs(), dl.reason(), now, d);
                } else if (c instanceof PendingQueue.Import im) {
                    im.imported()[0] = importRows(im.rows(), d);
                }
            }
            if (low && diskCapBytes < 0) {
                diskCapBytes = Math.min(d.bytes, maxBytes);
            } else if (!low) {
                diskCapBytes = -1;
            }
            if (work.readings() > 0) {
                insert(work.slices(), now, d);
                evict(d, maxBytes, Schema.REASON_BYTES_CAP);
                if (diskCapBytes >= 0) {
                    evict(d, diskCapBytes, Schema.REASON_DISK_FREE);
                }
            }
            writeMeta(d);
            commit.executeUpdate();
            done = true;
        } finally {
            if (!done) {
                try {
                    rollback.executeUpdate();
                } catch (SQLException e) {
                    LOG.debug("rollback failed: {}", e.toString());
                }
            }
        }
        state.depth = d.depth;
        state.bytes = d.bytes;
        state.highestSeq = d.highestSeq;
        state.accepted += d.accepted;
        state.confirmed += d.confirmed;
        state.evictedBytesCap += d.evictedBytesCap;
        state.evictedDiskFree += d.evictedDiskFree;
        state.deadLetters += d.deadLetters;
        d.deadLettersByReason.forEach((reason, n) -> state.deadLettersByReason.merge(reason, n, Long::sum));
    }

    /** Inserts stored readings as they are (seq, priority, accepted_at, body, checksum); a seq already present is skipped. */
    private int importRows(List<StoredReading> rows, Delta d) throws SQLException {
        int added = 0;
        for (StoredReading r : rows) {
            importRow.setLong(1, r.seq());
            importRow.setInt(2, r.priority());
            importRow.setLong(3, r.acceptedAt());
            importRow.setInt(4, r.body().length);
            importRow.setBytes(5, r.body());
            importRow.setLong(6, Checksums.of(r.seq(), r.body()));
            if (importRow.executeUpdate() == 1) {
                added++;
                d.depth++;
                d.bytes += r.body().length + Schema.ROW_OVERHEAD_BYTES;
                d.highestSeq = Math.max(d.highestSeq, r.seq());
            }
        }
        return added;
    }

    /** Whole chunks of {@link #INSERT_CHUNK} rows through the multi-row statement, the rest row by row; in seq order. */
    private void insert(List<PendingQueue.Slice> slices, long now, Delta d) throws SQLException {
        int total = 0;
        for (PendingQueue.Slice s : slices) {
            total += s.to() - s.from();
        }
        int chunked = total - total % INSERT_CHUNK;
        int k = 0;
        for (PendingQueue.Slice s : slices) {
            PendingQueue.Batch b = s.batch();
            for (int i = s.from(); i < s.to(); i++, k++) {
                byte[] body = b.bodies[i];
                if (k < chunked) {
                    int p = (k % INSERT_CHUNK) * COLUMNS;
                    bindRow(insertChunk, p, b.firstSeq + i, b.priorities[i], now, body);
                    if (k % INSERT_CHUNK == INSERT_CHUNK - 1) {
                        insertChunk.executeUpdate();
                    }
                } else {
                    bindRow(insert, 0, b.firstSeq + i, b.priorities[i], now, body);
                    insert.executeUpdate();
                }
                d.bytes += body.length + Schema.ROW_OVERHEAD_BYTES;
            }
            d.depth += s.to() - s.from();
            d.accepted += s.to() - s.from();
            d.highestSeq = Math.max(d.highestSeq, b.firstSeq + s.to() - 1);
        }
    }

    private static void bindRow(PreparedStatement ps, int p, long seq, int priority, long now, byte[] body) throws SQLException {
        ps.setLong(p + 1, seq);
        ps.setInt(p + 2, priority);
        ps.setLong(p + 3, now);
        ps.setInt(p + 4, body.length);
        ps.setBytes(p + 5, body);
        ps.setLong(p + 6, Checksums.of(seq, body));
    }

    /** Deletes exactly the given seqs; contiguous runs are deleted as one range. */
    private void confirm(long[] seqs, Delta d) throws SQLException {
        long[] sorted = seqs.clone();
        Arrays.sort(sorted);
        int i = 0;
        while (i < sorted.length) {
            long lo = sorted[i];
            long hi = lo;
            i++;
            while (i < sorted.length && sorted[i] <= hi + 1) {
                hi = sorted[i];
                i++;
            }
            long count;
            long size;
            rangeSum.setLong(1, lo);
            rangeSum.setLong(2, hi);
            try (ResultSet rs = rangeSum.executeQuery()) {
                rs.next();
                count = rs.getLong(1);
                size = (long) rs.getDouble(2);
            }
            if (count == 0) {
                continue;
            }
            rangeDelete.setLong(1, lo);
            rangeDelete.setLong(2, hi);
            rangeDelete.executeUpdate();
            d.depth -= count;
            d.bytes -= size + count * Schema.ROW_OVERHEAD_BYTES;
            d.confirmed += count;
        }
    }

    private void deadLetter(long[] seqs, String reason, long now, Delta d) throws SQLException {
        for (long seq : seqs) {
            sizeOf.setLong(1, seq);
            int size;
            try (ResultSet rs = sizeOf.executeQuery()) {
                if (!rs.next()) {
                    continue;
                }
                size = rs.getInt(1);
            }
            toDeadLetter.setString(1, reason);
            toDeadLetter.setLong(2, now);
            toDeadLetter.setLong(3, seq);
            toDeadLetter.executeUpdate();
            deleteOne.setLong(1, seq);
            deleteOne.executeUpdate();
            d.depth--;
            d.bytes -= size + Schema.ROW_OVERHEAD_BYTES;
            d.deadLetters++;
            d.deadLettersByReason.merge(reason, 1L, Long::sum);
        }
    }

    /** Lowest priority first, oldest first, until the accounted bytes fit {@code limit}. */
    private void evict(Delta d, long limit, String reason) throws SQLException {
        while (d.bytes > limit && d.depth > 0) {
            long[] seqs = new long[EVICT_CHUNK];
            int[] sizes = new int[EVICT_CHUNK];
            int n = 0;
            try (ResultSet rs = evictCandidates.executeQuery()) {
                while (rs.next()) {
                    seqs[n] = rs.getLong(1);
                    sizes[n] = rs.getInt(2);
                    n++;
                }
            }
            if (n == 0) {
                return;
            }
            for (int i = 0; i < n && d.bytes > limit; i++) {
                deleteOne.setLong(1, seqs[i]);
                deleteOne.executeUpdate();
                d.depth--;
                d.bytes -= sizes[i] + Schema.ROW_OVERHEAD_BYTES;
                if (Schema.REASON_BYTES_CAP.equals(reason)) {
                    d.evictedBytesCap++;
                } else {
                    d.evictedDiskFree++;
                }
            }
        }
    }

    private void writeMeta(Delta d) throws SQLException {
        meta(Schema.META_SEQ_HWM, d.highestSeq, state.highestSeq);
        meta(Schema.META_DEPTH, d.depth, state.depth);
        meta(Schema.META_BYTES, d.bytes, state.bytes);
        if (d.evictedBytesCap > 0) {
            meta(Schema.META_EVICTIONS_PREFIX + Schema.REASON_BYTES_CAP, state.evictedBytesCap + d.evictedBytesCap, -1);
        }
        if (d.evictedDiskFree > 0) {
            meta(Schema.META_EVICTIONS_PREFIX + Schema.REASON_DISK_FREE, state.evictedDiskFree + d.evictedDiskFree, -1);
        }
        if (d.deadLetters > 0) {
            meta(Schema.META_DEAD_LETTERS, state.deadLetters + d.deadLetters, -1);
            for (var e : d.deadLettersByReason.entrySet()) {
                meta(Schema.META_DEAD_LETTERS_PREFIX + e.getKey(), state.deadLettersByReason.getOrDefault(e.getKey(), 0L) + e.getValue(), -1);
            }
        }
    }

    private void meta(String key, long value, long previous) throws SQLException {
        if (value == previous) {
            return;
        }
        setMeta.setString(1, key);
        setMeta.setLong(2, value);
        setMeta.executeUpdate();
    }

    /** Records an alarm in meta in its own transaction. */
    void recordAlarm(String alarm) throws SQLException {
        setMeta.setString(1, Schema.META_ALARM_PREFIX + alarm);
        setMeta.setLong(2, clock.millis());
        setMeta.executeUpdate();
    }

    /** A writer like this one on a fresh connection (after a storage fault). */
    BufferWriter reopened(Connection fresh) throws SQLException {
        BufferWriter w = new BufferWriter(fresh, clock, state, maxBytes, disk);
        w.diskCapBytes = diskCapBytes;
        return w;
    }

    /** Moves the WAL into the database file and truncates it (at close); false when that failed. */
    boolean checkpoint() {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            // one row: busy (0 = completed), WAL frames, frames checkpointed
            return rs.next() && rs.getInt(1) == 0;
        } catch (SQLException e) {
            LOG.warn("WAL checkpoint at close failed: {}", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("closing the buffer writer connection failed: {}", e.toString());
        }
    }
}
