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
 * prepared statements, reused for every call. Each reading's checksum is checked: a mismatching one is
 * never returned but handed to {@code mismatched} (which dead-letters it), as is the key of a segment
 * that does not parse. After a failed call the
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
    /** Schema 3 (segments) or 2 (a row per reading, {@link RowLayout}). */
    private final boolean packed;
    private Connection conn;
    private PreparedStatement read;
    private PreparedStatement lowest;
    private PreparedStatement oldestAcceptedAt;

    ReadSide(Opener opener, Consumer<long[]> mismatched, Consumer<SQLException> failed, boolean packed) throws SQLException {
        this.packed = packed;
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
            String table = packed ? "segments" : "readings";
            read = c.prepareStatement(packed
                    // from the segment whose span holds afterSeq + 1 (or the first) on
                    ? "SELECT seq, accepted_at, entries FROM segments"
                            + " WHERE seq >= coalesce((SELECT max(seq) FROM segments WHERE seq <= ?1), 0) ORDER BY seq"
                    : "SELECT seq, accepted_at, priority, body, crc FROM readings WHERE seq > ?1 ORDER BY seq");
            lowest = c.prepareStatement("SELECT seq FROM " + table + " ORDER BY seq LIMIT 1");
            oldestAcceptedAt = c.prepareStatement("SELECT accepted_at FROM " + table + " ORDER BY seq LIMIT 1");
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
        if (maxReadings <= 0 || afterSeq == Long.MAX_VALUE) {
            return List.of();
        }
        List<StoredReading> out = new ArrayList<>(Math.min(maxReadings, 4096));
        long total = 0;
        List<Long> bad = new ArrayList<>();
        try {
            ensureOpen();
            read.setLong(1, packed ? afterSeq + 1 : afterSeq);
            try (ResultSet rs = read.executeQuery()) {
                rows:
                while (rs.next()) {
                    long key = rs.getLong(1);
                    List<Segment.Entry> entries;
                    if (packed) {
                        try {
                            entries = Segment.decode(key, rs.getBytes(3), afterSeq + 1);
                        } catch (Segment.Malformed e) {
                            bad.add(key); // the writer dead-letters the whole segment
                            continue;
                        }
                    } else {
                        long crc = rs.getLong(5);
                        Long stored = rs.wasNull() ? null : crc; // right after its column: a NULL is a row of schema 1
                        entries = List.of(rowEntry(key, rs.getInt(3), rs.getBytes(4), stored));
                    }
                    for (Segment.Entry e : entries) {
                        if (!e.intact()) {
                            bad.add(e.seq());
                            continue;
                        }
                        if (!out.isEmpty() && total + e.body().length > maxBytes) {
                            break rows;
                        }
                        total += e.body().length;
                        out.add(new StoredReading(e.seq(), rs.getLong(2), e.priority(), e.body()));
                        if (out.size() == maxReadings) {
                            break rows;
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        if (!bad.isEmpty()) {
            // rows with a bad checksum are skipped, never sent
            LOG.error("{} stored reading(s) fail their checksum (seq {}…): dead-lettered as {}",
                    bad.size(), bad.get(0), Schema.REASON_CHECKSUM_MISMATCH);
            mismatched.accept(bad.stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }

    /** A schema 2 row as an entry: intact when its checksum matches, or when it has none (a row stored by schema 1). */
    private static Segment.Entry rowEntry(long seq, int priority, byte[] body, Long stored) {
        int actual = (int) Checksums.of(seq, body);
        return new Segment.Entry(seq, Segment.storable(priority), body, Checksums.matches(seq, body, stored) ? actual : ~actual);
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
