package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.SqliteMemory;
import io.meterlink.drivers.mbus.FormatCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Compact-frame formats kept across restarts: a SQLite file ({@value #FILE}) in the gateway's state
 * directory with one row per (meter model, format signature). On start every stored format is put
 * into the {@link FormatCache}; every format the cache learns afterwards is written (one small
 * insert per new meter model or format, rare). A broken or unwritable file never stops the radio:
 * the cache then works in memory only, as before, and the failure is logged once. Thread-safe.
 */
final class FormatStore implements AutoCloseable {
    static final String FILE = "wmbus-formats.db";
    private static final Logger LOG = LoggerFactory.getLogger(FormatStore.class);

    private final Connection db;
    private final PreparedStatement insert;
    private boolean failed;

    private FormatStore(Connection db) throws SQLException {
        this.db = db;
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            SqliteMemory.SMALL_STORE.apply(s);
            s.execute("CREATE TABLE IF NOT EXISTS formats (model TEXT NOT NULL, signature INTEGER NOT NULL, format BLOB NOT NULL,"
                    + " PRIMARY KEY (model, signature))");
        }
        this.insert = db.prepareStatement("INSERT OR IGNORE INTO formats (model, signature, format) VALUES (?, ?, ?)");
    }

    /**
     * Opens (creating) the store in {@code stateDir}, loads it into {@code cache} and persists what the
     * cache learns from now on; {@code null} when the file cannot be used (logged).
     */
    static FormatStore attach(Path stateDir, FormatCache cache) {
        Path file = stateDir.resolve(FILE);
        try {
            Files.createDirectories(stateDir);
            FormatStore store = new FormatStore(DriverManager.getConnection("jdbc:sqlite:" + file));
            int n = store.loadInto(cache);
            cache.onNew(store::save);
            LOG.info("wM-Bus compact-frame formats: {} loaded from {}", n, file);
            return store;
        } catch (SQLException | java.io.IOException | RuntimeException e) {
            LOG.warn("wM-Bus compact-frame formats kept in memory only: {} unusable ({})", file, e.getClass().getSimpleName());
            return null;
        }
    }

    private int loadInto(FormatCache cache) throws SQLException {
        int n = 0;
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT model, format FROM formats")) {
            while (r.next()) {
                byte[] format = r.getBytes(2);
                if (format == null || format.length == 0) continue;
                cache.learn(r.getString(1), format); // the listener is not attached yet: nothing written back
                n++;
            }
        }
        return n;
    }

    synchronized void save(String model, byte[] format) {
        if (failed) return;
        try {
            insert.setString(1, model);
            insert.setInt(2, FormatCache.signature(format));
            insert.setBytes(3, format);
            insert.executeUpdate();
        } catch (SQLException e) {
            failed = true; // logged once; the cache goes on in memory
            LOG.warn("wM-Bus compact-frame formats: writing failed ({}), kept in memory only from now on", e.getClass().getSimpleName());
        }
    }

    @Override
    public synchronized void close() {
        try {
            insert.close();
            db.close();
        } catch (SQLException e) {
            LOG.debug("closing the format store: {}", e.getClass().getSimpleName());
        }
    }
}
