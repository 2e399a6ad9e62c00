package io.meterlink.core.buffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The seqs and priorities a buffer file holds at one moment, read from outside the gateway
 * (read-only, one read transaction): what an audit of the eviction order compares over time.
 *
 * @param seqs       ascending
 * @param priorities {@link io.meterlink.core.api.Priority#ordinal()} of each, same order
 */
public record StoredPriorities(long[] seqs, byte[] priorities) {

    /**
     * Reads the buffer at {@code db}; {@code null} when it cannot be read just now (the gateway holds
     * a write lock, the file is being created), holds more than {@code maxReadings}, or a segment
     * does not parse.
     */
    public static StoredPriorities read(Path db, int maxReadings) {
        if (!Files.isRegularFile(db)) return null;
        try (Connection c = DatabaseFiles.connect(db, true)) {
            c.setAutoCommit(false); // one read transaction: a consistent snapshot
            boolean packed = Schema.isPacked(c);
            long[] seqs;
            byte[] priorities;
            try (PreparedStatement ps = c.prepareStatement(packed ? "SELECT coalesce(sum(count), 0) FROM segments" : "SELECT count(*) FROM readings");
                 ResultSet rs = ps.executeQuery()) {
                long n = rs.next() ? rs.getLong(1) : 0;
                if (n > maxReadings) return null;
                seqs = new long[(int) n];
                priorities = new byte[(int) n];
            }
            int i = 0;
            try (PreparedStatement ps = c.prepareStatement(packed ? "SELECT seq, entries FROM segments ORDER BY seq"
                    : "SELECT seq, priority FROM readings ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!packed) {
                        if (i == seqs.length) return null;
                        seqs[i] = rs.getLong(1);
                        priorities[i] = (byte) Segment.storable(rs.getInt(2));
                        i++;
                        continue;
                    }
                    for (Segment.Entry e : Segment.decode(rs.getLong(1), rs.getBytes(2))) {
                        if (i == seqs.length) return null;
                        seqs[i] = e.seq();
                        priorities[i] = (byte) e.priority();
                        i++;
                    }
                }
            }
            c.rollback();
            return new StoredPriorities(Arrays.copyOf(seqs, i), Arrays.copyOf(priorities, i));
        } catch (SQLException | Segment.Malformed e) {
            return null;
        }
    }
}
