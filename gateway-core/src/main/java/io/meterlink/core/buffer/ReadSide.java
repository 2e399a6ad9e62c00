package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The read connection (a WAL reader: sees committed data only, never blocks the writer) with its
 * prepared statements, reused for every call. Thread-safe (calls are serialised).
 */
final class ReadSide implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadSide.class);

    private final Connection conn;
    private final PreparedStatement read;
    private final PreparedStatement lowest;
    private final PreparedStatement oldestAcceptedAt;

    ReadSide(Connection conn) throws SQLException {
        this.conn = conn;
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA query_only = 1");
        }
        this.read = conn.prepareStatement("SELECT seq, accepted_at, priority, body FROM readings WHERE seq > ? ORDER BY seq LIMIT ?");
        this.lowest = conn.prepareStatement("SELECT seq FROM readings ORDER BY seq LIMIT 1");
        this.oldestAcceptedAt = conn.prepareStatement("SELECT accepted_at FROM readings ORDER BY seq LIMIT 1");
    }

    synchronized List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) {
        if (maxReadings <= 0) {
            return List.of();
        }
        List<StoredReading> out = new ArrayList<>(Math.min(maxReadings, 4096));
        long total = 0;
        try {
            read.setLong(1, afterSeq);
            read.setInt(2, maxReadings);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    byte[] body = rs.getBytes(4);
                    if (!out.isEmpty() && total + body.length > maxBytes) {
                        break;
                    }
                    total += body.length;
                    out.add(new StoredReading(rs.getLong(1), rs.getLong(2), rs.getInt(3), body));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new BufferException("reading the buffer failed: " + e.getMessage(), e);
        }
    }

    synchronized long lowestSeq() {
        return firstLong(lowest);
    }

    /** Accepted-at of the oldest stored reading, or 0 when empty. */
    synchronized long oldestAcceptedAt() {
        return firstLong(oldestAcceptedAt);
    }

    private long firstLong(PreparedStatement ps) {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        } catch (SQLException e) {
            throw new BufferException("reading the buffer failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("closing the buffer read connection failed: {}", e.toString());
        }
    }
}
