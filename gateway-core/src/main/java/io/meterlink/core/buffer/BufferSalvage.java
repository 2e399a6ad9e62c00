package io.meterlink.core.buffer;

import io.meterlink.core.config.BufferConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * {@code meterlink buffer salvage}: copies every readable, checksum-valid reading of a quarantined
 * buffer file into the live buffer, keeping its seq.
 *
 * <p><b>Why the seq is kept.</b> The stored body already carries its seq (it is the payload object
 * exactly as sent), and the seq sidecar guarantees that the live buffer numbers above every seq ever
 * handed out, so a kept seq cannot collide with a new reading; {@code (gw, seq)} keeps meaning one
 * reading. A reading the broker had acknowledged but whose delete was lost in the corruption comes
 * again with its old {@code (gw, seq)}: the head-end's usual duplicate rule drops it. A seq the live
 * buffer already holds is skipped (counted as a duplicate), so running salvage twice adds nothing.
 *
 * <p><b>Finding the rows.</b> A corrupt page hides the rows on it and can stop a scan; the keys are
 * collected from a forward and a backward scan of the table and from the eviction index (a separate
 * b-tree), then each row is read alone: an unreadable one is counted and skipped. A row is a
 * {@link Segment} of readings (schema 3) or, in a file quarantined by an older gateway, one reading.
 *
 * <p>The quarantined file is opened read-only. The live buffer must not be in use (the gateway
 * stopped): its lock is taken like at start.
 */
public final class BufferSalvage {

    private static final Logger LOG = LoggerFactory.getLogger(BufferSalvage.class);
    private static final int CHUNK = 500;

    /**
     * What salvage did.
     *
     * @param found            readings found in the file (an unreadable segment counts as many as its
     *                         {@code count} column says, or 1)
     * @param salvaged         readings copied into the live buffer
     * @param duplicates       readings whose seq the live buffer already held
     * @param checksumMismatch readings whose body does not match its checksum, or in a segment that
     *                         does not parse (not copied)
     * @param unreadable       readings whose row could not be read (corrupt page; not copied)
     * @param unchecked        of the salvaged, rows stored before checksums existed (schema 1)
     */
    public record Result(long found, long salvaged, long duplicates, long checksumMismatch, long unreadable, long unchecked) {
    }

    private BufferSalvage() {
    }

    /**
     * @throws NotABufferException when {@code file} is not an SQLite buffer, or is the live buffer itself
     * @throws BufferException     when the live buffer cannot be opened (e.g. the gateway runs)
     */
    public static Result salvage(Path file, BufferConfig live, Clock clock) {
        Path source = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            throw new NotABufferException("no file at " + file);
        }
        if (source.equals(live.path().toAbsolutePath().normalize())) {
            throw new NotABufferException(file + " is the live buffer; salvage copies from a quarantined file into it");
        }
        if (!DatabaseFiles.looksLikeSqlite(source)) {
            throw new NotABufferException(file + " is not an SQLite database (no \"SQLite format 3\" header)");
        }
        Found f = new Found();
        try (Connection c = DatabaseFiles.connect(source, true)) {
            try (Statement s = c.createStatement()) {
                // relaxes the schema sanity checks that refuse every statement on a truncated file (read-only: nothing is written)
                s.execute("PRAGMA writable_schema = ON");
            }
            if (Schema.isPacked(c)) {
                readSegments(c, f);
            } else {
                readRows(c, f);
            }
        } catch (SQLException e) {
            throw new BufferException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<StoredReading> valid = f.valid;
        long salvaged = 0;
        try (SqliteBuffer buffer = SqliteBuffer.open(live, (seq, r) -> {
            throw new IllegalStateException("salvage appends nothing new");
        }, clock)) {
            for (int i = 0; i < valid.size(); i += CHUNK) {
                salvaged += buffer.importStored(valid.subList(i, Math.min(valid.size(), i + CHUNK)));
            }
        }
        Result r = new Result(f.found, salvaged, valid.size() - salvaged, f.mismatch, f.unreadable, f.unchecked);
        LOG.info("Salvaged {} of {} into {}: {}", file, f.found, live.path(), r);
        return r;
    }

    /** What the file gave up. */
    private static final class Found {
        final List<StoredReading> valid = new ArrayList<>();
        long found;
        long mismatch;
        long unreadable;
        long unchecked;
    }

    /**
     * Schema 3: every segment reachable through the table (both directions) or the eviction index,
     * each read alone; its intact entries are salvaged. A segment that cannot be read counts the
     * readings its {@code count} column names (1 when that cannot be read either) as unreadable.
     */
    private static void readSegments(Connection c, Found f) throws SQLException {
        try (PreparedStatement one = c.prepareStatement("SELECT accepted_at, entries FROM segments WHERE seq = ?");
             PreparedStatement count = c.prepareStatement("SELECT count FROM segments WHERE seq = ?")) {
            for (long key : keysOf(c, "segments", "low, seq")) {
                try {
                    one.setLong(1, key);
                    try (ResultSet rs = one.executeQuery()) {
                        if (!rs.next()) {
                            f.found++;
                            f.unreadable++;
                            continue;
                        }
                        long acceptedAt = rs.getLong(1);
                        for (Segment.Entry e : Segment.decode(key, rs.getBytes(2))) {
                            f.found++;
                            if (e.intact()) {
                                f.valid.add(new StoredReading(e.seq(), acceptedAt, e.priority(), e.body()));
                            } else {
                                f.mismatch++;
                            }
                        }
                    }
                } catch (Segment.Malformed e) {
                    long n = countOf(count, key);
                    f.found += n;
                    f.mismatch += n;
                } catch (SQLException e) {
                    long n = countOf(count, key);
                    f.found += n;
                    f.unreadable += n;
                    LOG.debug("segment {} unreadable: {}", key, e.toString());
                }
            }
        }
    }

    /** The readings a segment's {@code count} column names, or 1 when it cannot be read. */
    private static long countOf(PreparedStatement count, long key) {
        try {
            count.setLong(1, key);
            try (ResultSet rs = count.executeQuery()) {
                return Segment.countedReadings(rs.next() ? rs.getLong(1) : 1);
            }
        } catch (SQLException e) {
            return 1;
        }
    }

    /** Schemas 1 and 2 (a file quarantined before its gateway was upgraded): a row per reading. */
    private static void readRows(Connection c, Found f) throws SQLException {
        // prepared before any scan: a scan that meets a corrupt page can leave the schema unreadable to later prepares
        try (PreparedStatement one = c.prepareStatement(
                "SELECT seq, accepted_at, priority, body, " + crcColumn(c) + " FROM readings WHERE seq = ?")) {
            for (long seq : keysOf(c, "readings", "priority, seq")) {
                f.found++;
                try {
                    one.setLong(1, seq);
                    try (ResultSet rs = one.executeQuery()) {
                        if (!rs.next()) {
                            f.unreadable++;
                            continue;
                        }
                        byte[] body = rs.getBytes(4);
                        long crc = rs.getLong(5);
                        Long stored = rs.wasNull() ? null : crc;
                        if (body == null || !Checksums.matches(seq, body, stored)) {
                            f.mismatch++;
                            continue;
                        }
                        if (stored == null) {
                            f.unchecked++;
                        }
                        f.valid.add(new StoredReading(seq, rs.getLong(2), rs.getInt(3), body));
                    }
                } catch (SQLException e) {
                    f.unreadable++;
                    LOG.debug("seq {} unreadable: {}", seq, e.toString());
                }
            }
        }
    }

    /** {@code crc}, or {@code NULL} for a schema 1 file (no such column). */
    private static String crcColumn(Connection c) throws SQLException {
        try (PreparedStatement probe = c.prepareStatement("SELECT crc FROM readings LIMIT 0")) {
            return "crc";
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such column")) {
                return "NULL";
            }
            throw e;
        }
    }

    /** Every key reachable through {@code table} (both directions) or its eviction index; stops each path at its first error. */
    private static NavigableSet<Long> keysOf(Connection c, String table, String evictionOrder) {
        NavigableSet<Long> seqs = new TreeSet<>();
        String[] scans = {
            "SELECT seq FROM " + table + " ORDER BY seq",
            "SELECT seq FROM " + table + " ORDER BY seq DESC",
            "SELECT seq FROM " + table + " INDEXED BY " + table + "_eviction ORDER BY " + evictionOrder,
        };
        for (String sql : scans) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    seqs.add(rs.getLong(1));
                }
            } catch (SQLException e) {
                LOG.warn("salvage scan stopped early ({}): {}", sql, e.getMessage());
            }
        }
        return seqs;
    }
}
