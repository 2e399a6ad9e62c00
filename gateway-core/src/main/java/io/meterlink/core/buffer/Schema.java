package io.meterlink.core.buffer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tables, meta keys and the accounting rule of the buffer database. */
final class Schema {

    /** 1: the first layout; 2: {@code readings.crc} (CRC-32C of seq + body, NULL for rows stored by version 1). */
    static final int VERSION = 2;

    /**
     * Accounted bytes per stored row on top of its body: the SQLite record header, rowid, cell
     * pointer and the eviction-index entry, rounded up. A row costs {@code body.length + 64}.
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

    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER)",
        // eviction order: lowest priority first, oldest first; size makes it a covering index
        "CREATE INDEX IF NOT EXISTS readings_eviction ON readings(priority, seq, size)",
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS dead_letter(seq INTEGER PRIMARY KEY, reason TEXT NOT NULL,"
                + " at INTEGER NOT NULL, body BLOB NOT NULL)",
    };

    private Schema() {
    }

    /** Creates missing tables and the initial meta rows; inside the caller's transaction. */
    static void create(Connection c, long nowMs) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String ddl : DDL) {
                s.executeUpdate(ddl);
            }
            s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + META_SCHEMA_VERSION + "', " + VERSION + ")");
            s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + META_CREATED_AT + "', " + nowMs + ")");
            for (String k : new String[] {META_SEQ_HWM, META_DEPTH, META_BYTES, META_DEAD_LETTERS,
                META_EVICTIONS_PREFIX + REASON_BYTES_CAP, META_EVICTIONS_PREFIX + REASON_DISK_FREE}) {
                s.executeUpdate("INSERT OR IGNORE INTO meta(key, value) VALUES ('" + k + "', 0)");
            }
        }
    }

    /**
     * Brings a version 1 database to version 2 (adds the nullable {@code crc} column: existing rows
     * keep every byte and are read unchecked); inside the caller's transaction. Returns the version
     * found before.
     */
    static long migrate(Connection c) throws SQLException {
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
        try (Statement s = c.createStatement()) {
            if (!hasCrc) {
                s.executeUpdate("ALTER TABLE readings ADD COLUMN crc INTEGER");
            }
            s.executeUpdate("UPDATE meta SET value = " + VERSION + " WHERE key = '" + META_SCHEMA_VERSION + "'");
        }
        return found;
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
