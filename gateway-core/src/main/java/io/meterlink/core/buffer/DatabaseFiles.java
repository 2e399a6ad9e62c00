package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opens the database file for writing, after an integrity check when the last close was not clean;
 * a file that fails it is quarantined: renamed with its {@code -wal}/{@code -shm} files to
 * {@code <name>.corrupt-<UTC time>} and kept. Never deletes a database, and never renames a file that
 * does not start with the SQLite header: such a file is refused ({@link NotABufferException}).
 *
 * <p><b>Clean-close marker.</b> A clean close leaves {@code <db>.clean}; an open removes it (durably)
 * before writing. So an open that finds the marker knows the file was closed cleanly and skips
 * {@code PRAGMA quick_check} (which reads the whole file); without it (crash, power cut, storage
 * fault, first open of an older buffer) the file is checked.
 */
final class DatabaseFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseFiles.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final int BUSY_TIMEOUT_MS = 10_000;

    private DatabaseFiles() {
    }

    /** An open, checked connection, and the renamed file when the old one was quarantined. */
    record Opened(Connection connection, Path quarantinedTo) {
    }

    static Connection connect(Path db, boolean readOnly) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout(BUSY_TIMEOUT_MS);
        if (readOnly) {
            c.setReadOnly(true);
        }
        return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), c.toProperties());
    }

    /** The 16 bytes every SQLite 3 database file starts with. */
    static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    static Opened openChecked(Path db, Clock clock) {
        Path quarantined = null;
        Path clean = cleanMarker(db);
        if (Files.exists(db)) {
            requireSqliteOrEmpty(db);
            if (Files.exists(clean)) {
                LOG.debug("Buffer {} was closed cleanly: no integrity check", db);
            } else {
                LOG.info("Buffer {} was not closed cleanly: checking its integrity", db);
                String problem = check(db);
                if (problem != null) {
                    quarantined = quarantine(db, clock);
                    LOG.error("Buffer database {} failed its integrity check ({}); quarantined as {}, starting a new one",
                            db, problem, quarantined);
                }
            }
        }
        try {
            if (Files.deleteIfExists(clean)) {
                SeqReservation.fsyncDirectory(db.toAbsolutePath().getParent());
            }
            FilePermissions.createPrivate(db);
        } catch (IOException e) {
            throw new BufferException("cannot prepare buffer database " + db + ": " + e.getMessage(), e);
        }
        try {
            return new Opened(connect(db, false), quarantined);
        } catch (SQLException e) {
            throw new BufferException("cannot open buffer database " + db + ": " + e.getMessage(), e);
        }
    }

    static Path cleanMarker(Path db) {
        return sibling(db, ".clean");
    }

    /** Leaves the clean-close marker (after the last checkpoint); best effort: without it the next open checks. */
    static void markClean(Path db) {
        try {
            FilePermissions.createPrivate(cleanMarker(db));
            SeqReservation.fsyncDirectory(db.toAbsolutePath().getParent());
        } catch (IOException e) {
            LOG.warn("cannot leave the clean-close marker for {} ({}); the next start checks the file", db, e.toString());
        }
    }

    /** True when the file starts with the SQLite 3 header. */
    static boolean looksLikeSqlite(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(SQLITE_HEADER.length);
            return Arrays.equals(head, SQLITE_HEADER);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * An empty file is a new database; anything else must carry the SQLite header.
     *
     * @throws NotABufferException when it does not (a key, a certificate, a log: never touched)
     */
    static void requireSqliteOrEmpty(Path db) {
        try {
            if (!Files.isRegularFile(db)) {
                throw new NotABufferException(db + " is not a regular file; refusing to use it as the buffer");
            }
            if (Files.size(db) == 0) {
                return;
            }
        } catch (IOException e) {
            throw new BufferException("cannot read buffer database " + db + ": " + e.getMessage(), e);
        }
        if (!looksLikeSqlite(db)) {
            throw new NotABufferException(db + " is not an SQLite database (no \"SQLite format 3\" header);"
                    + " refusing to use, check or rename it: is buffer.path right?");
        }
    }

    /** Null when the file passes {@code PRAGMA quick_check}, else what is wrong with it. */
    static String check(Path db) {
        try (Connection c = connect(db, false); Statement s = c.createStatement()) {
            io.meterlink.core.api.SqliteMemory.BUFFER_CHECK.apply(s);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                while (rs.next() && rows.size() < 5) {
                    rows.add(rs.getString(1));
                }
            }
            if (rows.size() == 1 && "ok".equals(rows.get(0))) {
                return null;
            }
            return "quick_check: " + String.join("; ", rows);
        } catch (SQLException e) {
            if (isCorruption(e)) {
                return e.getMessage();
            }
            throw new BufferException("cannot open buffer database " + db + ": " + e.getMessage(), e);
        }
    }

    static boolean isCorruption(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            int primary = code.code & 0xff;
            return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
        }
        int primary = e.getErrorCode() & 0xff;
        return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
    }

    /** Renames the database and its WAL/SHM files so SQLite could still open the renamed copy. */
    static Path quarantine(Path db, Clock clock) {
        requireSqliteOrEmpty(db);
        String base = db.getFileName() + ".corrupt-" + STAMP.format(clock.instant());
        Path target = db.resolveSibling(base);
        for (int i = 1; Files.exists(target) || Files.exists(sibling(target, "-wal")); i++) {
            target = db.resolveSibling(base + "-" + i);
        }
        try {
            // WAL and SHM first: a crash half-way must not leave a fresh database next to the old WAL
            for (String suffix : new String[] {"-wal", "-shm"}) {
                Path side = sibling(db, suffix);
                if (Files.exists(side)) {
                    Files.move(side, sibling(target, suffix), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.move(db, target, StandardCopyOption.ATOMIC_MOVE);
            SeqReservation.fsyncDirectory(db.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new BufferException("cannot quarantine corrupt buffer database " + db + ": " + e.getMessage(), e);
        }
        return target.toAbsolutePath();
    }

    static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }
}
