package io.meterlink.core.buffer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tables, meta keys and the accounting rule of the buffer database. */
final class Schema {

    /**
     * 1: the first layout, a row per reading; 2: {@code readings.crc} (CRC-32C of seq + body, NULL for
     * rows stored by version 1); 3: readings packed into {@link Segment}s (the {@code readings} table
     * is converted at the first open and dropped).
     */
    static final int VERSION = 3;

    /**
     * Accounted bytes per stored reading on top of its body, against {@code max_bytes}: a reading costs
     * {@code body.length + 64}. Since version 3 a reading's real cost is its entry header (~8 bytes)
     * and a share of its segment's row; the figure of the row-per-reading layout is kept, so a bound
     * means what it meant and errs on the safe side.
     */
    static final int ROW_OVERHEAD_BYTES = 64;

    static final String META_SCHEMA_VERSION = "schema_version";
    static final String META_CREATED_AT = "created_at";
    static final String META_SEQ_HWM = "seq_hwm";
    static final String META_DEPTH = "depth";
    static final String META_BYTES = "bytes";
    static final String META_MAX_BYTES = "max_bytes";
    static final String META_DEAD_LETTERS = "dead_letters";
    static final String META_EVICTIONS_PREFIX = "evictions.";
    /** Dead letters by reason: {@code dead_letters.<reason>}. */
    static final String META_DEAD_LETTERS_PREFIX = "dead_letters.";
    /** An active alarm is a meta row {@code alarm:<text>} whose value is when it was raised. */
    static final String META_ALARM_PREFIX = "alarm:";

    static final String REASON_BYTES_CAP = "bytes_cap";
    static final String REASON_DISK_FREE = "disk_free";
    /** Dead-letter reason of a reading whose stored checksum does not match its body. */
    public static final String REASON_CHECKSUM_MISMATCH = "checksum_mismatch";

    /** Version 2: a row per reading, the layout of the releases before packing ({@link RowLayout}). */
    static final int ROWS_VERSION = 2;

    private static final String[] COMMON_DDL = {
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS dead_letter(seq INTEGER PRIMARY KEY, reason TEXT NOT NULL,"
                + " at INTEGER NOT NULL, body BLOB NOT NULL)",
    };

    private static final String[] SEGMENTS_DDL = {
        // one row per Segment: seq = its first entry's, last = its last entry's, low = its lowest
        // priority, size = its entries' accounted bytes
        "CREATE TABLE IF NOT EXISTS segments(seq INTEGER PRIMARY KEY, last INTEGER NOT NULL, low INTEGER NOT NULL,"
                + " accepted_at INTEGER NOT NULL, count INTEGER NOT NULL, size INTEGER NOT NULL, entries BLOB NOT NULL)",
        // eviction order: the segment holding the lowest priority first, oldest first
        "CREATE INDEX IF NOT EXISTS segments_eviction ON segments(low, seq)",
    };

    private static final String[] ROWS_DDL = {
        "CREATE TABLE IF NOT EXISTS readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER)",
        // eviction order: lowest priority first, oldest first; size makes it a covering index
        "CREATE INDEX IF NOT EXISTS readings_eviction ON readings(priority, seq, size)",
    };

    private Schema() {
    }

    /** The schema version a database records, 0 for one without our meta table (a new file). */
    static long versionOf(Connection c) throws SQLException {
        return hasTable(c, "meta") ? longOf(readMeta(c), META_SCHEMA_VERSION) : 0;
    }

    /** Whether the database has the table {@code name}. */
    static boolean hasTable(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    /** Whether the file's readings are packed into segments (schema 3) rather than a row each. */
    static boolean isPacked(Connection c) throws SQLException {
        return hasTable(c, "segments");
    }

    /**
     * Whether a database at {@code version} (0: new) is to be packed: always once it is (version 3),
     * else unless {@code keepLayout} (an update on trial keeps the layout the previous release reads).
     */
    static boolean packed(long version, boolean keepLayout) {
        return version >= VERSION || !keepLayout;
    }

    /** Creates missing tables of the layout and the initial meta rows; inside the caller's transaction. */
    static void create(Connection c, long nowMs, boolean packed) throws SQLException {
        try (Statement s = c.createStatement()) {
            // the readings' table first: page 2 of a new file, as it has always been
            for (String ddl : packed ? SEGMENTS_DDL : ROWS_DDL) {
                s.executeUpdate(ddl);
            }
            for (String ddl : COMMON_DDL) {
                s.executeUpdate(ddl);
            }
            s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + META_SCHEMA_VERSION + "', "
                    + (packed ? VERSION : ROWS_VERSION) + ")");
            s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + META_CREATED_AT + "', " + nowMs + ")");
            for (String k : new String[] {META_SEQ_HWM, META_DEPTH, META_BYTES, META_DEAD_LETTERS,
                META_EVICTIONS_PREFIX + REASON_BYTES_CAP, META_EVICTIONS_PREFIX + REASON_DISK_FREE}) {
                s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + k + "', 0)");
            }
        }
    }

    /**
     * Brings a version 1 database to version 2 (the nullable {@code crc} column: its rows are read
     * unchecked), and, when {@code packed}, a version 1 or 2 database to version 3, inside the caller's
     * transaction: the rows of {@code readings} are packed into segments (a run of rows committed
     * together becomes one segment), a row whose stored checksum does not match its body goes to the
     * dead-letter table ({@value #REASON_CHECKSUM_MISMATCH}), a row without a checksum gets one computed
     * now, and the old table is dropped; depth and bytes are counted again from what was packed.
     * Returns the version found before.
     */
    static long migrate(Connection c, long nowMs, boolean packed) throws SQLException {
        long found = longOf(readMeta(c), META_SCHEMA_VERSION);
        if (found >= VERSION) {
            return found;
        }
        boolean hasCrc = false;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(readings)")) {
            while (rs.next()) {
                hasCrc |= "crc".equals(rs.getString("name"));
            }
        }
        if (!packed) {
            try (Statement s = c.createStatement()) {
                if (!hasCrc) {
                    s.executeUpdate("ALTER TABLE readings ADD COLUMN crc INTEGER");
                }
                s.executeUpdate("UPDATE meta SET value = " + ROWS_VERSION + " WHERE key = '" + META_SCHEMA_VERSION + "'");
            }
            return found;
        }
        long mismatched = 0;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, priority, accepted_at, body, " + (hasCrc ? "crc" : "NULL")
                     + " FROM readings ORDER BY seq");
             PreparedStatement insert = c.prepareStatement(Segment.INSERT_SQL);
             PreparedStatement dead = c.prepareStatement(DEAD_LETTER_SQL)) {
            Segment.Builder b = new Segment.Builder();
            long acceptedAt = 0;
            while (rs.next()) {
                long seq = rs.getLong(1);
                byte[] body = rs.getBytes(4);
                long crc = rs.getLong(5);
                if (!rs.wasNull() && crc != Checksums.of(seq, body)) {
                    deadLetter(dead, seq, REASON_CHECKSUM_MISMATCH, nowMs, body);
                    mismatched++;
                    continue;
                }
                if (!b.isEmpty() && (b.full() || rs.getLong(3) != acceptedAt)) {
                    b.writeTo(insert, acceptedAt);
                }
                acceptedAt = rs.getLong(3);
                b.add(seq, Segment.storable(rs.getInt(2)), body);
            }
            b.writeTo(insert, acceptedAt);
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DROP TABLE readings");
            s.executeUpdate("UPDATE meta SET value = (SELECT coalesce(sum(count), 0) FROM segments) WHERE key = '" + META_DEPTH + "'");
            s.executeUpdate("UPDATE meta SET value = (SELECT coalesce(sum(size), 0) FROM segments) WHERE key = '" + META_BYTES + "'");
            countMismatches(s, mismatched);
            s.executeUpdate("UPDATE meta SET value = " + VERSION + " WHERE key = '" + META_SCHEMA_VERSION + "'");
        }
        return found;
    }

    /**
     * Takes a version 3 database back to the row-per-reading layout of version 2, inside the caller's
     * transaction, for a release older than packing (a downgrade by hand, docs/storage.md): each intact
     * reading becomes a {@code readings} row with its checksum, a reading failing its checksum or in a
     * segment that does not parse goes to the dead-letter table ({@value #REASON_CHECKSUM_MISMATCH}),
     * the segments are dropped, depth and bytes are counted again. True when something was converted,
     * false for a database at another version.
     */
    static boolean downgrade(Connection c, long nowMs) throws SQLException {
        if (longOf(readMeta(c), META_SCHEMA_VERSION) != VERSION) {
            return false;
        }
        long mismatched = 0;
        try (Statement s = c.createStatement()) {
            // IF NOT EXISTS: an older release that was refused this file has already created its (empty) table in it
            for (String ddl : ROWS_DDL) {
                s.executeUpdate(ddl);
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT seq, accepted_at, entries, count FROM segments ORDER BY seq");
             PreparedStatement row = c.prepareStatement("INSERT INTO readings(seq, priority, accepted_at, size, body, crc) VALUES (?, ?, ?, ?, ?, ?)");
             PreparedStatement dead = c.prepareStatement(DEAD_LETTER_SQL)) {
            while (rs.next()) {
                long key = rs.getLong(1);
                byte[] blob = rs.getBytes(3);
                List<Segment.Entry> entries;
                try {
                    entries = Segment.decode(key, blob);
                } catch (Segment.Malformed e) {
                    deadLetter(dead, key, REASON_CHECKSUM_MISMATCH, nowMs, blob);
                    mismatched += Segment.countedReadings(rs.getLong(4));
                    continue;
                }
                for (Segment.Entry e : entries) {
                    if (!e.intact()) {
                        deadLetter(dead, e.seq(), REASON_CHECKSUM_MISMATCH, nowMs, e.body());
                        mismatched++;
                        continue;
                    }
                    row.setLong(1, e.seq());
                    row.setInt(2, e.priority());
                    row.setLong(3, rs.getLong(2));
                    row.setInt(4, e.body().length);
                    row.setBytes(5, e.body());
                    row.setLong(6, Integer.toUnsignedLong(e.crc()));
                    row.executeUpdate();
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DROP TABLE segments");
            s.executeUpdate("UPDATE meta SET value = (SELECT count(*) FROM readings) WHERE key = '" + META_DEPTH + "'");
            s.executeUpdate("UPDATE meta SET value = (SELECT coalesce(sum(size), 0) + " + ROW_OVERHEAD_BYTES + " * count(*) FROM readings)"
                    + " WHERE key = '" + META_BYTES + "'");
            countMismatches(s, mismatched);
            s.executeUpdate("UPDATE meta SET value = " + ROWS_VERSION + " WHERE key = '" + META_SCHEMA_VERSION + "'");
        }
        return true;
    }

    /** The statement {@link #deadLetter} runs. */
    static final String DEAD_LETTER_SQL = "INSERT OR REPLACE INTO dead_letter(seq, reason, at, body) VALUES (?, ?, ?, ?)";

    /** One dead-letter row through {@code dead} ({@link #DEAD_LETTER_SQL}). */
    static void deadLetter(PreparedStatement dead, long seq, String reason, long nowMs, byte[] body) throws SQLException {
        dead.setLong(1, seq);
        dead.setString(2, reason);
        dead.setLong(3, nowMs);
        dead.setBytes(4, body);
        dead.executeUpdate();
    }

    /** Adds readings dead-lettered as {@value #REASON_CHECKSUM_MISMATCH} by a conversion to the meta counters. */
    private static void countMismatches(Statement s, long mismatched) throws SQLException {
        if (mismatched > 0) {
            s.executeUpdate("UPDATE meta SET value = value + " + mismatched + " WHERE key = '" + META_DEAD_LETTERS + "'");
            s.executeUpdate("INSERT INTO meta(key, value) VALUES ('" + META_DEAD_LETTERS_PREFIX + REASON_CHECKSUM_MISMATCH + "', "
                    + mismatched + ") ON CONFLICT(key) DO UPDATE SET value = value + excluded.value");
        }
    }

    /** True when the database has tables but none of ours: someone else's file. */
    static boolean isForeign(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(name = 'meta') FROM sqlite_master WHERE type = 'table'")) {
            rs.next();
            return rs.getLong(1) > 0 && rs.getLong(2) == 0;
        }
    }

    static Map<String, Object> readMeta(Connection c) throws SQLException {
        Map<String, Object> meta = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key, value FROM meta ORDER BY key")) {
            while (rs.next()) {
                meta.put(rs.getString(1), rs.getObject(2));
            }
        }
        return meta;
    }

    /** The {@code dead_letters.<reason>} counters. */
    static Map<String, Long> deadLettersByReason(Map<String, Object> meta) {
        Map<String, Long> out = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(META_DEAD_LETTERS_PREFIX) && v instanceof Number n) {
                out.put(k.substring(META_DEAD_LETTERS_PREFIX.length()), n.longValue());
            }
        });
        return out;
    }

    static long longOf(Map<String, Object> meta, String key) {
        Object v = meta.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
