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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Runs one transaction per {@link PendingQueue.Work} on the single writer connection:
 * {@code BEGIN IMMEDIATE}; confirms and dead letters; inserts; eviction when over the byte bound or
 * while the disk is low; meta counters; {@code COMMIT}. Counters are published to
 * {@link BufferState} only after the commit. Confined to the writer thread.
 */
final class BufferWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferWriter.class);
    private static final String COLUMNS = "seq, last, low, accepted_at, count, size, entries";

    private final Connection conn;
    private final Clock clock;
    private final BufferState state;
    private final long maxBytes;
    private final DiskGuard disk;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement insert;
    private final PreparedStatement setMeta;
    private final PreparedStatement evictCandidate;
    private final PreparedStatement containing;
    private final PreparedStatement overlapping;
    private final PreparedStatement anyBetween;
    private final PreparedStatement load;
    private final PreparedStatement delete;
    private final PreparedStatement toDeadLetter;
    private final PreparedStatement setLow;
    private final Segment.Builder builder = new Segment.Builder();
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
        this.insert = conn.prepareStatement("INSERT INTO segments(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
        this.setMeta = conn.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        this.evictCandidate = conn.prepareStatement("SELECT seq, low FROM segments ORDER BY low, seq LIMIT 1");
        this.containing = conn.prepareStatement("SELECT seq, last FROM segments WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
        this.overlapping = conn.prepareStatement("SELECT seq, last, count, size FROM segments"
                + " WHERE seq >= coalesce((SELECT max(seq) FROM segments WHERE seq <= ?1), ?1) AND seq <= ?2 ORDER BY seq");
        this.anyBetween = conn.prepareStatement("SELECT 1 FROM segments WHERE seq > ? AND seq <= ? LIMIT 1");
        this.load = conn.prepareStatement("SELECT accepted_at, entries, count, size FROM segments WHERE seq = ?");
        this.delete = conn.prepareStatement("DELETE FROM segments WHERE seq = ?");
        this.toDeadLetter = conn.prepareStatement("INSERT OR REPLACE INTO dead_letter(seq, reason, at, body) VALUES (?, ?, ?, ?)");
        this.setLow = conn.prepareStatement("UPDATE segments SET low = ? WHERE seq = ?");
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
        builder.reset(); // what a rolled-back transaction left in it
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

    /**
     * Inserts stored readings as they are (seq, priority, accepted_at, body, checksum); a seq already
     * present is skipped. A seq inside the span of a stored segment splits that segment around it, so
     * spans never overlap; readings that fall between segments are packed together.
     */
    private int importRows(List<StoredReading> rows, Delta d) throws SQLException {
        List<StoredReading> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(StoredReading::seq));
        int added = 0;
        long acceptedAt = 0;
        for (StoredReading r : sorted) {
            if (!builder.isEmpty() && r.seq() == builder.last()) {
                continue; // the same seq twice in the rows
            }
            long key = containingKey(r.seq());
            if (key >= 0) {
                flush(acceptedAt);
                if (splitAround(key, r)) {
                    added++;
                    count(d, r.seq(), r.body().length);
                }
                continue;
            }
            if (!builder.isEmpty() && (builder.full() || acceptedAt != r.acceptedAt() || any(builder.last(), r.seq()))) {
                flush(acceptedAt);
            }
            acceptedAt = r.acceptedAt();
            builder.add(r.seq(), r.priority(), r.body());
            added++;
            count(d, r.seq(), r.body().length);
        }
        flush(acceptedAt);
        return added;
    }

    private static void count(Delta d, long seq, int bodyLength) {
        d.depth++;
        d.bytes += bodyLength + Schema.ROW_OVERHEAD_BYTES;
        d.highestSeq = Math.max(d.highestSeq, seq);
    }

    /** Puts {@code r} into the segment keyed {@code key} whose span holds its seq; false when that seq is stored already. */
    private boolean splitAround(long key, StoredReading r) throws SQLException {
        Loaded seg = load(key);
        List<Segment.Entry> entries;
        try {
            entries = Segment.decode(key, seg.blob);
        } catch (Segment.Malformed e) {
            LOG.warn("imported seq {} falls inside a segment that does not parse ({}); not imported", r.seq(), e.getMessage());
            return false;
        }
        if (entries.stream().anyMatch(e -> e.seq() == r.seq())) {
            return false;
        }
        // key < r.seq < last: the entries before it, it alone, the entries after it
        delete(key);
        boolean placed = false;
        for (Segment.Entry e : entries) {
            if (!placed && e.seq() > r.seq()) {
                flush(seg.acceptedAt);
                builder.add(r.seq(), r.priority(), r.body());
                flush(r.acceptedAt());
                placed = true;
            }
            builder.add(e);
        }
        flush(seg.acceptedAt);
        return true;
    }

    /** Packs the transaction's readings into segments, in seq order. */
    private void insert(List<PendingQueue.Slice> slices, long now, Delta d) throws SQLException {
        for (PendingQueue.Slice s : slices) {
            PendingQueue.Batch b = s.batch();
            for (int i = s.from(); i < s.to(); i++) {
                if (builder.full()) {
                    flush(now);
                }
                byte[] body = b.bodies[i];
                builder.add(b.firstSeq + i, b.priorities[i], body);
                d.bytes += body.length + Schema.ROW_OVERHEAD_BYTES;
            }
            d.depth += s.to() - s.from();
            d.accepted += s.to() - s.from();
            d.highestSeq = Math.max(d.highestSeq, b.firstSeq + s.to() - 1);
        }
        flush(now);
    }

    /** Writes what the builder holds as one segment (nothing when empty) and empties it. */
    private void flush(long acceptedAt) throws SQLException {
        builder.writeTo(insert, acceptedAt);
    }

    /** A segment's columns as loaded for rewriting. */
    private record Loaded(long acceptedAt, byte[] blob, long count, long size) {
    }

    private Loaded load(long key) throws SQLException {
        load.setLong(1, key);
        try (ResultSet rs = load.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("segment " + key + " vanished inside the writer's transaction");
            }
            return new Loaded(rs.getLong(1), rs.getBytes(2), rs.getLong(3), rs.getLong(4));
        }
    }

    private void delete(long key) throws SQLException {
        delete.setLong(1, key);
        delete.executeUpdate();
    }

    /** The key of the segment whose span holds {@code seq}, or -1. */
    private long containingKey(long seq) throws SQLException {
        containing.setLong(1, seq);
        try (ResultSet rs = containing.executeQuery()) {
            return rs.next() && rs.getLong(2) >= seq ? rs.getLong(1) : -1;
        }
    }

    /** Whether a segment starts in {@code (after, upTo]}. */
    private boolean any(long after, long upTo) throws SQLException {
        anyBetween.setLong(1, after);
        anyBetween.setLong(2, upTo);
        try (ResultSet rs = anyBetween.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * Takes the entries {@code leaves} picks (asked in seq order) out of the segment keyed {@code key}
     * and writes the rest back as one segment (none when nothing is left); returns what was taken.
     *
     * @throws Segment.Malformed when the segment does not parse (it is left as it is)
     */
    private List<Segment.Entry> take(long key, Predicate<Segment.Entry> leaves) throws SQLException, Segment.Malformed {
        Loaded seg = load(key);
        List<Segment.Entry> taken = new ArrayList<>();
        for (Segment.Entry e : Segment.decode(key, seg.blob)) {
            if (leaves.test(e)) {
                taken.add(e);
            } else {
                builder.add(e);
            }
        }
        if (taken.isEmpty()) {
            builder.reset();
            return taken;
        }
        delete(key);
        flush(seg.acceptedAt);
        return taken;
    }

    /** Deletes exactly the given seqs; segments wholly inside a contiguous run go without being read. */
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
            List<long[]> segments = new ArrayList<>();
            overlapping.setLong(1, lo);
            overlapping.setLong(2, hi);
            try (ResultSet rs = overlapping.executeQuery()) {
                while (rs.next()) {
                    segments.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                }
            }
            for (long[] seg : segments) {
                long key = seg[0];
                long last = seg[1];
                if (last < lo) {
                    continue;
                }
                if (key >= lo && last <= hi) {
                    delete(key);
                    d.depth -= seg[2];
                    d.bytes -= seg[3];
                    d.confirmed += seg[2];
                    continue;
                }
                long from = lo;
                long to = hi;
                try {
                    for (Segment.Entry e : take(key, e -> e.seq() >= from && e.seq() <= to)) {
                        d.depth--;
                        d.bytes -= e.accounted();
                        d.confirmed++;
                    }
                } catch (Segment.Malformed e) {
                    // its readings were never published intact; the read side dead-letters the segment
                    LOG.warn("confirm skips a segment that does not parse: {}", e.getMessage());
                }
            }
        }
    }

    private void deadLetter(long[] seqs, String reason, long now, Delta d) throws SQLException {
        long[] sorted = seqs.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                continue;
            }
            long key = containingKey(sorted[i]);
            if (key < 0) {
                continue;
            }
            List<Segment.Entry> taken;
            try {
                taken = take(key, e -> Arrays.binarySearch(sorted, e.seq()) >= 0);
            } catch (Segment.Malformed e) {
                // the framing is damaged: the whole blob goes to the dead-letter table under its key
                Loaded seg = load(key);
                LOG.error("dead-lettering segment {} whole ({} readings): {}", key, seg.count, e.getMessage());
                deadLetterRow(key, reason, now, seg.blob);
                delete(key);
                d.depth -= seg.count;
                d.bytes -= seg.size;
                d.deadLetters += seg.count;
                d.deadLettersByReason.merge(reason, seg.count, Long::sum);
                continue;
            }
            for (Segment.Entry e : taken) {
                deadLetterRow(e.seq(), reason, now, e.body());
                d.depth--;
                d.bytes -= e.accounted();
                d.deadLetters++;
                d.deadLettersByReason.merge(reason, 1L, Long::sum);
            }
        }
    }

    private void deadLetterRow(long seq, String reason, long now, byte[] body) throws SQLException {
        toDeadLetter.setLong(1, seq);
        toDeadLetter.setString(2, reason);
        toDeadLetter.setLong(3, now);
        toDeadLetter.setBytes(4, body);
        toDeadLetter.executeUpdate();
    }

    /** Lowest priority first, oldest first, until the accounted bytes fit {@code limit}. */
    private void evict(Delta d, long limit, String reason) throws SQLException {
        while (d.bytes > limit && d.depth > 0) {
            long key;
            int low;
            try (ResultSet rs = evictCandidate.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                key = rs.getLong(1);
                low = rs.getInt(2);
            }
            long[] over = {d.bytes - limit};
            List<Segment.Entry> taken;
            try {
                taken = take(key, e -> {
                    if (e.priority() == low && over[0] > 0) {
                        over[0] -= e.accounted();
                        return true;
                    }
                    return false;
                });
            } catch (Segment.Malformed e) {
                deadLetter(new long[] {key}, Schema.REASON_CHECKSUM_MISMATCH, clock.millis(), d);
                continue;
            }
            if (taken.isEmpty()) {
                correctLow(key); // its low column was wrong: set it from the entries, then pick again
                continue;
            }
            for (Segment.Entry e : taken) {
                d.depth--;
                d.bytes -= e.accounted();
                if (Schema.REASON_BYTES_CAP.equals(reason)) {
                    d.evictedBytesCap++;
                } else {
                    d.evictedDiskFree++;
                }
            }
        }
    }

    private void correctLow(long key) throws SQLException {
        int low = Integer.MAX_VALUE;
        try {
            for (Segment.Entry e : Segment.decode(key, load(key).blob)) {
                low = Math.min(low, e.priority());
            }
        } catch (Segment.Malformed e) {
            throw new IllegalStateException("segment " + key + " parsed a moment ago", e);
        }
        setLow.setInt(1, low);
        setLow.setLong(2, key);
        setLow.executeUpdate();
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
