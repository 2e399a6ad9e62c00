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
 * <p><b>Finding the rows.</b> A corrupt page hides the rows on it and can stop a scan; the seqs are
 * collected from a forward and a backward scan of the table and from the eviction index (a separate
 * b-tree), then each row is read alone: an unreadable one is counted and skipped.
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
     * @param found            distinct seqs found in the file
     * @param salvaged         readings copied into the live buffer
     * @param duplicates       readings whose seq the live buffer already held
     * @param checksumMismatch readings whose body does not match its checksum (not copied)
     * @param unreadable       seqs whose row could not be read (corrupt page; not copied)
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
        long mismatch = 0;
        long unreadable = 0;
        long unchecked = 0;
        List<StoredReading> valid = new ArrayList<>();
        NavigableSet<Long> seqs;
        try (Connection c = DatabaseFiles.connect(source, true)) {
            try (Statement s = c.createStatement()) {
                // relaxes the schema sanity checks that refuse every statement on a truncated file (read-only: nothing is written)
                s.execute("PRAGMA writable_schema = ON");
            }
            // prepared before any scan: a scan that meets a corrupt page can leave the schema unreadable to later prepares
            try (PreparedStatement one = c.prepareStatement(
                    "SELECT seq, accepted_at, priority, body, " + crcColumn(c) + " FROM readings WHERE seq = ?")) {
                seqs = seqsOf(c);
                for (long seq : seqs) {
                    try {
                        one.setLong(1, seq);
                        try (ResultSet rs = one.executeQuery()) {
                            if (!rs.next()) {
                                unreadable++;
                                continue;
                            }
                            byte[] body = rs.getBytes(4);
                            long crc = rs.getLong(5);
                            Long stored = rs.wasNull() ? null : crc;
                            if (body == null || !Checksums.matches(seq, body, stored)) {
                                mismatch++;
                                continue;
                            }
                            if (stored == null) {
                                unchecked++;
                            }
                            valid.add(new StoredReading(seq, rs.getLong(2), rs.getInt(3), body));
                        }
                    } catch (SQLException e) {
                        unreadable++;
                        LOG.debug("seq {} unreadable: {}", seq, e.toString());
                    }
                }
            }
        } catch (SQLException e) {
            throw new BufferException("cannot read " + file + ": " + e.getMessage(), e);
        }
        long salvaged = 0;
        try (SqliteBuffer buffer = SqliteBuffer.open(live, (seq, r) -> {
            throw new IllegalStateException("salvage appends nothing new");
        }, clock)) {
            for (int i = 0; i < valid.size(); i += CHUNK) {
                salvaged += buffer.importStored(valid.subList(i, Math.min(valid.size(), i + CHUNK)));
            }
        }
        Result r = new Result(seqs.size(), salvaged, valid.size() - salvaged, mismatch, unreadable, unchecked);
        LOG.info("Salvaged {} of {} into {}: {}", file, seqs.size(), live.path(), r);
        return r;
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

    /** Every seq reachable through the table (both directions) or the eviction index; stops each path at its first error. */
    private static NavigableSet<Long> seqsOf(Connection c) {
        NavigableSet<Long> seqs = new TreeSet<>();
        String[] scans = {
            "SELECT seq FROM readings ORDER BY seq",
            "SELECT seq FROM readings ORDER BY seq DESC",
            "SELECT seq FROM readings INDEXED BY readings_eviction ORDER BY priority, seq",
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
