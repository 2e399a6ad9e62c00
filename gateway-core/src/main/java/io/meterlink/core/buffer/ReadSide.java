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
import java.util.function.Consumer;

/**
 * The read connection (a WAL reader: sees committed data only, never blocks the writer) with its
 * prepared statements, reused for every call. Each row's checksum is checked: a mismatching row is
 * never returned but handed to {@code mismatched} (which dead-letters it). After a failed call the
 * connection is reopened at the next one. Thread-safe (calls are serialised).
 */
final class ReadSide implements AutoCloseable {

    /** Opens a fresh read connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReadSide.class);

    private final Opener opener;
    private final Consumer<long[]> mismatched;
    private final Consumer<SQLException> failed;
    private Connection conn;
    private PreparedStatement read;
    private PreparedStatement lowest;
    private PreparedStatement oldestAcceptedAt;

    ReadSide(Opener opener, Consumer<long[]> mismatched, Consumer<SQLException> failed) throws SQLException {
        this.opener = opener;
        this.mismatched = mismatched;
        this.failed = failed;
        connect();
    }

    private void connect() throws SQLException {
        Connection c = opener.open();
        try {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA query_only = 1");
                io.meterlink.core.api.SqliteMemory.BUFFER_READER.apply(s);
            }
            read = c.prepareStatement("SELECT seq, accepted_at, priority, body, crc FROM readings WHERE seq > ? ORDER BY seq LIMIT ?");
            lowest = c.prepareStatement("SELECT seq FROM readings ORDER BY seq LIMIT 1");
            oldestAcceptedAt = c.prepareStatement("SELECT accepted_at FROM readings ORDER BY seq LIMIT 1");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        conn = c;
    }

    private void ensureOpen() throws SQLException {
        if (conn == null) {
            connect();
        }
    }

    private BufferException failure(SQLException e) {
        Connection c = conn;
        conn = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ce) {
                LOG.debug("closing the failed read connection: {}", ce.toString());
            }
        }
        failed.accept(e);
        return new BufferException("reading the buffer failed: " + e.getMessage(), e);
    }

    synchronized List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) {
        if (maxReadings <= 0) {
            return List.of();
        }
        List<StoredReading> out = new ArrayList<>(Math.min(maxReadings, 4096));
        long total = 0;
        long after = afterSeq;
        try {
            ensureOpen();
            boolean more = true;
            // rows with a bad checksum are skipped: read on until something good (or nothing) is left
            while (out.isEmpty() && more) {
                List<Long> bad = new ArrayList<>();
                int rows = 0;
                read.setLong(1, after);
                read.setInt(2, maxReadings);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        long seq = rs.getLong(1);
                        after = seq;
                        byte[] body = rs.getBytes(4);
                        long crc = rs.getLong(5);
                        Long stored = rs.wasNull() ? null : crc;
                        if (!Checksums.matches(seq, body, stored)) {
                            bad.add(seq);
                            continue;
                        }
                        if (!out.isEmpty() && total + body.length > maxBytes) {
                            more = false;
                            break;
                        }
                        total += body.length;
                        out.add(new StoredReading(seq, rs.getLong(2), rs.getInt(3), body));
                    }
                }
                if (!bad.isEmpty()) {
                    LOG.error("{} stored reading(s) fail their checksum (seq {}…): dead-lettered as {}",
                            bad.size(), bad.get(0), Schema.REASON_CHECKSUM_MISMATCH);
                    mismatched.accept(bad.stream().mapToLong(Long::longValue).toArray());
                }
                more &= rows == maxReadings;
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized long lowestSeq() {
        return firstLong(true);
    }

    /** Accepted-at of the oldest stored reading, or 0 when empty. */
    synchronized long oldestAcceptedAt() {
        return firstLong(false);
    }

    private long firstLong(boolean seq) {
        try {
            ensureOpen();
            try (ResultSet rs = (seq ? lowest : oldestAcceptedAt).executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public synchronized void close() {
        Connection c = conn;
        conn = null;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.warn("closing the buffer read connection failed: {}", e.toString());
        }
    }
}
