package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * Runs one transaction per {@link PendingQueue.Work} on the single writer connection:
 * {@code BEGIN IMMEDIATE}; confirms and dead letters; inserts; eviction when over the byte bound or
 * while the disk is low; meta counters; {@code COMMIT}. Counters are published to
 * {@link BufferState} only after the commit. Confined to the writer thread.
 */
final class BufferWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferWriter.class);

    private final Connection conn;
    private final Clock clock;
    private final BufferState state;
    private final long maxBytes;
    private final DiskGuard disk;
    private final boolean packed;
    private final Layout layout;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement setMeta;
    /** The byte bound frozen when the disk went low ("stop growing"); -1 while the disk is fine. */
    private long diskCapBytes = -1;

    BufferWriter(Connection conn, Clock clock, BufferState state, long maxBytes, DiskGuard disk, boolean packed) throws SQLException {
        this.conn = conn;
        this.clock = clock;
        this.state = state;
        this.maxBytes = maxBytes;
        this.disk = disk;
        this.packed = packed;
        this.layout = packed ? new SegmentLayout(conn, clock) : new RowLayout(conn);
        this.begin = conn.prepareStatement("BEGIN IMMEDIATE");
        this.commit = conn.prepareStatement("COMMIT");
        this.rollback = conn.prepareStatement("ROLLBACK");
        this.setMeta = conn.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    }

    /** Runs the transaction. Throws when it was rolled back; then nothing of it is applied. */
    void apply(PendingQueue.Work work) throws SQLException {
        Delta d = new Delta();
        d.depth = state.depth;
        d.bytes = state.bytes;
        d.highestSeq = state.highestSeq;
        boolean low = disk.isLow();
        layout.reset(); // what a rolled-back transaction left in it
        begin.executeUpdate();
        boolean done = false;
        try {
            long now = clock.millis();
            for (PendingQueue.Command c : work.commands()) {
                if (c instanceof PendingQueue.Confirm confirm) {
                    layout.confirm(confirm.seqs(), d);
                } else if (c instanceof PendingQueue.DeadLetter dl) {
                    layout.deadLetter(dl.seqs(), dl.reason(), now, d);
                } else if (c instanceof PendingQueue.Import im) {
                    im.imported()[0] = layout.importRows(im.rows(), d);
                }
            }
            if (low && diskCapBytes < 0) {
                diskCapBytes = Math.min(d.bytes, maxBytes);
            } else if (!low) {
                diskCapBytes = -1;
            }
            if (work.readings() > 0) {
                layout.insert(work.slices(), now, d);
                layout.evict(d, maxBytes, Schema.REASON_BYTES_CAP);
                if (diskCapBytes >= 0) {
                    layout.evict(d, diskCapBytes, Schema.REASON_DISK_FREE);
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
        BufferWriter w = new BufferWriter(fresh, clock, state, maxBytes, disk, packed);
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
