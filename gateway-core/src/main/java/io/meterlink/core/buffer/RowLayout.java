package io.meterlink.core.buffer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Schema 2: a row per reading in {@code readings}, with the eviction index; the layout of the releases
 * before packing, kept while an update is on trial so that a rollback finds a file the previous release
 * reads (docs/storage.md, "Layout").
 */
final class RowLayout implements Layout {

    private static final int EVICT_CHUNK = 256;
    /** Rows per multi-row INSERT: one statement step for many rows, far fewer JNI calls. */
    private static final int INSERT_CHUNK = 100;
    private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?)";
    private static final int COLUMNS = 6;

    private final PreparedStatement insert;
    private final PreparedStatement insertChunk;
    private final PreparedStatement evictCandidates;
    private final PreparedStatement deleteOne;
    private final PreparedStatement rangeSum;
    private final PreparedStatement rangeDelete;
    private final PreparedStatement sizeOf;
    private final PreparedStatement toDeadLetter;
    private final PreparedStatement importRow;

    RowLayout(Connection conn) throws SQLException {
        String insertSql = "INSERT INTO readings(seq, priority, accepted_at, size, body, crc) VALUES " + INSERT_ROW;
        this.insert = conn.prepareStatement(insertSql);
        this.insertChunk = conn.prepareStatement(insertSql + (", " + INSERT_ROW).repeat(INSERT_CHUNK - 1));
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

    @Override
    public int importRows(List<StoredReading> rows, Delta d) throws SQLException {
        int added = 0;
        for (StoredReading r : rows) {
            importRow.setLong(1, r.seq());
            importRow.setInt(2, Segment.storable(r.priority()));
            importRow.setLong(3, r.acceptedAt());
            importRow.setInt(4, r.body().length);
            importRow.setBytes(5, r.body());
            importRow.setLong(6, Checksums.of(r.seq(), r.body()));
            if (importRow.executeUpdate() == 1) {
                added++;
                d.stored(r.seq(), r.body().length);
            }
        }
        return added;
    }

    /** Whole chunks of {@link #INSERT_CHUNK} rows through the multi-row statement, the rest row by row; in seq order. */
    @Override
    public void insert(List<PendingQueue.Slice> slices, long now, Delta d) throws SQLException {
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
            d.appended(s);
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

    /** Contiguous runs are deleted as one range. */
    @Override
    public void confirm(long[] seqs, Delta d) throws SQLException {
        for (long[] run : Layout.runs(seqs)) {
            long lo = run[0];
            long hi = run[1];
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
            d.left(count, size + count * Schema.ROW_OVERHEAD_BYTES);
            d.confirmed += count;
        }
    }

    @Override
    public void deadLetter(long[] seqs, String reason, long now, Delta d) throws SQLException {
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
            d.left(1, size + Schema.ROW_OVERHEAD_BYTES);
            d.deadLettered(reason, 1);
        }
    }

    @Override
    public void evict(Delta d, long limit, String reason) throws SQLException {
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
                d.left(1, sizes[i] + Schema.ROW_OVERHEAD_BYTES);
                d.evicted(reason, 1);
            }
        }
    }

}
