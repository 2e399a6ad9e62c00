package io.meterlink.core.buffer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tables, meta keys and the accounting rule of the buffer database. */
final class Schema {

    static final int VERSION = 1;

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
    /** An active alarm is a meta row {@code alarm:<text>} whose value is when it was raised. */
    static final String META_ALARM_PREFIX = "alarm:";

    static final String REASON_BYTES_CAP = "bytes_cap";
    static final String REASON_DISK_FREE = "disk_free";

    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL,"
                + " accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL)",
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

    static long longOf(Map<String, Object> meta, String key) {
        Object v = meta.get(key);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
