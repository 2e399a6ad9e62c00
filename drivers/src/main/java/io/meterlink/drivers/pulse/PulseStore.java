package io.meterlink.drivers.pulse;

import io.meterlink.core.api.SqliteMemory;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The durable pulse counts of one {@code pulse} source: an SQLite file in the state directory with
 * the durability of the reading buffer (WAL, {@code synchronous=FULL}: a commit survives a crash
 * and a power cut). A pulse is only ever counted in memory between its edge and the next
 * {@link #add} commit, and the count and the simulator wire's pulse number are written in the same
 * transaction, so a restart neither loses a committed pulse nor counts one twice. One writer (the
 * driver thread). Not thread-safe.
 */
final class PulseStore implements AutoCloseable {
    /**
     * What the file holds for one input.
     *
     * @param count      pulses counted since {@code startValue} was set
     * @param wireSeq    the last simulator pulse number counted (0 on real GPIO)
     * @param startValue the register value, in the input's configured unit, when the count began
     */
    record Counter(long count, long wireSeq, BigDecimal startValue) { }

    private final Connection db;
    private final Path file;
    /** The commit's UPDATE, prepared once: {@link #add} runs on every commit interval. */
    private final PreparedStatement addPulses;

    private PulseStore(Connection db, Path file) throws SQLException {
        this.db = db;
        this.file = file;
        this.addPulses = db.prepareStatement(
                "UPDATE pulse_counter SET count = count + ?, wire_seq = MAX(wire_seq, ?), updated_ms = ? WHERE meter = ?");
    }

    /** Opens (creating) {@code file}; its directory must exist. */
    static PulseStore open(Path file) throws SQLException, IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            SqliteMemory.SMALL_STORE.apply(s);
            s.execute("CREATE TABLE IF NOT EXISTS pulse_counter (meter TEXT PRIMARY KEY, count INTEGER NOT NULL,"
                    + " wire_seq INTEGER NOT NULL, start_value TEXT NOT NULL, updated_ms INTEGER NOT NULL)");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.setAutoCommit(true);
        try {
            return new PulseStore(c, file);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    Path file() { return file; }

    /** The stored counter of {@code meter}, or {@code null} when it has none yet. */
    Counter load(String meter) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT count, wire_seq, start_value FROM pulse_counter WHERE meter = ?")) {
            ps.setString(1, meter);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                return new Counter(rs.getLong(1), rs.getLong(2), new BigDecimal(rs.getString(3)));
            }
        }
    }

    /** Sets {@code meter}'s counter (a new input, or a new start value from the configuration); durable on return. */
    void reset(String meter, Counter counter, long nowMs) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO pulse_counter (meter, count, wire_seq, start_value, updated_ms)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT(meter) DO UPDATE SET count = excluded.count, wire_seq = excluded.wire_seq,"
                + " start_value = excluded.start_value, updated_ms = excluded.updated_ms")) {
            ps.setString(1, meter);
            ps.setLong(2, counter.count());
            ps.setLong(3, counter.wireSeq());
            ps.setString(4, counter.startValue().toPlainString());
            ps.setLong(5, nowMs);
            ps.executeUpdate();
        }
    }

    /**
     * Adds pulses to several counters in one transaction; durable (fsync'd) on return.
     *
     * @param added meter → {@code [pulses, last wire seq]}
     */
    void add(Map<String, long[]> added, long nowMs) throws SQLException {
        if (added.isEmpty()) return;
        db.setAutoCommit(false);
        PreparedStatement ps = addPulses;
        try {
            for (Map.Entry<String, long[]> e : added.entrySet()) {
                ps.setLong(1, e.getValue()[0]);
                ps.setLong(2, e.getValue()[1]);
                ps.setLong(3, nowMs);
                ps.setString(4, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
            db.commit();
        } catch (SQLException e) {
            ps.clearBatch();
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    @Override public void close() {
        try {
            addPulses.close();
        } catch (SQLException ignored) {
            // closing the connection below releases it too
        }
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing: nothing left to save (every add was committed)
        }
    }
}
