package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/** Schema 3: readings packed into {@link Segment}s (docs/storage.md, "Layout"). */
final class SegmentLayout implements Layout {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLayout.class);

    private final Clock clock;
    private final PreparedStatement insert;
    private final PreparedStatement evictCandidate;
    private final PreparedStatement containing;
    private final PreparedStatement overlapping;
    private final PreparedStatement anyBetween;
    private final PreparedStatement load;
    private final PreparedStatement delete;
    private final PreparedStatement toDeadLetter;
    private final PreparedStatement setLow;
    private final Segment.Builder builder = new Segment.Builder();

    SegmentLayout(Connection conn, Clock clock) throws SQLException {
        this.clock = clock;
        this.insert = conn.prepareStatement(Segment.INSERT_SQL);
        this.evictCandidate = conn.prepareStatement("SELECT seq, low FROM segments ORDER BY low, seq LIMIT 1");
        this.containing = conn.prepareStatement("SELECT seq, last FROM segments WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
        this.overlapping = conn.prepareStatement("SELECT seq, last FROM segments"
                + " WHERE seq >= coalesce((SELECT max(seq) FROM segments WHERE seq <= ?1), ?1) AND seq <= ?2 ORDER BY seq");
        this.anyBetween = conn.prepareStatement("SELECT 1 FROM segments WHERE seq > ? AND seq <= ? LIMIT 1");
        this.load = conn.prepareStatement("SELECT accepted_at, entries, count, size FROM segments WHERE seq = ?");
        this.delete = conn.prepareStatement("DELETE FROM segments WHERE seq = ?");
        this.toDeadLetter = conn.prepareStatement(Schema.DEAD_LETTER_SQL);
        this.setLow = conn.prepareStatement("UPDATE segments SET low = ? WHERE seq = ?");
    }

    /**
     * Inserts stored readings as they are (seq, priority, accepted_at, body, checksum); a seq already
     * present is skipped. A seq inside the span of a stored segment splits that segment around it, so
     * spans never overlap; readings that fall between segments are packed together.
     */
    @Override
    public int importRows(List<StoredReading> rows, Delta d) throws SQLException {
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
                if (splitAround(key, r, d)) {
                    added++;
                    d.stored(r.seq(), r.body().length);
                }
                continue;
            }
            if (!builder.isEmpty() && (builder.full() || acceptedAt != r.acceptedAt() || any(builder.last(), r.seq()))) {
                flush(acceptedAt);
            }
            acceptedAt = r.acceptedAt();
            builder.add(r.seq(), Segment.storable(r.priority()), r.body());
            added++;
            d.stored(r.seq(), r.body().length);
        }
        flush(acceptedAt);
        return added;
    }

    /** Puts {@code r} into the segment keyed {@code key} whose span holds its seq; false when that seq is stored already. */
    private boolean splitAround(long key, StoredReading r, Delta d) throws SQLException {
        Loaded seg = load(key);
        List<Segment.Entry> entries;
        try {
            entries = Segment.decode(key, seg.blob);
        } catch (Segment.Malformed e) {
            // its readings cannot be told apart: it goes to the dead letters, and the salvaged copy in alone
            deadLetterWhole(key, seg, Schema.REASON_CHECKSUM_MISMATCH, clock.millis(), d, e);
            builder.add(r.seq(), Segment.storable(r.priority()), r.body());
            flush(r.acceptedAt());
            return true;
        }
        if (entries.stream().anyMatch(e -> e.seq() == r.seq())) {
            return false;
        }
        // key < r.seq: the entries before it, it alone, the entries after it
        delete(key);
        boolean placed = false;
        for (Segment.Entry e : entries) {
            if (!placed && e.seq() > r.seq()) {
                flush(seg.acceptedAt);
                builder.add(r.seq(), Segment.storable(r.priority()), r.body());
                flush(r.acceptedAt());
                placed = true;
            }
            builder.add(e);
        }
        flush(seg.acceptedAt);
        if (!placed) { // past its real last entry (a damaged last column said otherwise)
            builder.add(r.seq(), Segment.storable(r.priority()), r.body());
            flush(r.acceptedAt());
        }
        return true;
    }

    /** Packs the transaction's readings into segments, in seq order. */
    @Override
    public void insert(List<PendingQueue.Slice> slices, long now, Delta d) throws SQLException {
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
            d.appended(s);
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
            // a segment keyed at seq holds it even when its last column is damaged
            return rs.next() && (rs.getLong(1) == seq || rs.getLong(2) >= seq) ? rs.getLong(1) : -1;
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

    /** A segment wholly inside a contiguous run is deleted after a walk of its framing, no body copied. */
    @Override
    public void confirm(long[] seqs, Delta d) throws SQLException {
        for (long[] run : Layout.runs(seqs)) {
            long lo = run[0];
            long hi = run[1];
            List<long[]> segments = new ArrayList<>();
            overlapping.setLong(1, lo);
            overlapping.setLong(2, hi);
            try (ResultSet rs = overlapping.executeQuery()) {
                while (rs.next()) {
                    segments.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
            for (long[] seg : segments) {
                long key = seg[0];
                long last = seg[1];
                if (last < lo) {
                    continue;
                }
                if (key >= lo && last <= hi) {
                    // wholly inside the run by its columns: its framing says so too (a damaged last column
                    // must not delete readings never sent), then it goes without a body copied
                    Loaded whole = load(key);
                    try {
                        Segment.Summary sum = Segment.summary(key, whole.blob);
                        if (sum.last() <= hi) {
                            delete(key);
                            d.left(sum.count(), sum.accounted());
                            d.confirmed += sum.count();
                            continue;
                        }
                    } catch (Segment.Malformed e) {
                        LOG.warn("confirm skips a segment that does not parse: {}", e.getMessage());
                        continue;
                    }
                }
                long from = lo;
                long to = hi;
                try {
                    for (Segment.Entry e : take(key, e -> e.seq() >= from && e.seq() <= to)) {
                        d.left(1, e.accounted());
                        d.confirmed++;
                    }
                } catch (Segment.Malformed e) {
                    // its readings were never published intact; the read side dead-letters the segment
                    LOG.warn("confirm skips a segment that does not parse: {}", e.getMessage());
                }
            }
        }
    }

    @Override
    public void deadLetter(long[] seqs, String reason, long now, Delta d) throws SQLException {
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
                deadLetterWhole(key, load(key), reason, now, d, e);
                continue;
            }
            for (Segment.Entry e : taken) {
                deadLetterRow(e.seq(), reason, now, e.body());
                d.left(1, e.accounted());
                d.deadLettered(reason, 1);
            }
        }
    }

    /**
     * A segment whose framing is damaged: the whole blob goes to the dead-letter table under its key,
     * counted as the readings its {@code count} column names (1 when that is out of range).
     */
    private void deadLetterWhole(long key, Loaded seg, String reason, long now, Delta d, Segment.Malformed why) throws SQLException {
        long n = Segment.countedReadings(seg.count);
        LOG.error("dead-lettering segment {} whole ({} readings): {}", key, n, why.getMessage());
        deadLetterRow(key, reason, now, seg.blob);
        delete(key);
        d.left(n, seg.size);
        d.deadLettered(reason, n);
    }

    private void deadLetterRow(long seq, String reason, long now, byte[] body) throws SQLException {
        Schema.deadLetter(toDeadLetter, seq, reason, now, body);
    }

    @Override
    public void evict(Delta d, long limit, String reason) throws SQLException {
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
                deadLetterWhole(key, load(key), Schema.REASON_CHECKSUM_MISMATCH, clock.millis(), d, e);
                continue;
            }
            if (taken.isEmpty()) {
                correctLow(key); // its low column was wrong: set it from the entries, then pick again
                continue;
            }
            for (Segment.Entry e : taken) {
                d.left(1, e.accounted());
            }
            d.evicted(reason, taken.size());
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

    @Override
    public void reset() {
        builder.reset();
    }
}
