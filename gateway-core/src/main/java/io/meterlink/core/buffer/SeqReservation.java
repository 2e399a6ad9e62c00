package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The sidecar {@code <db>.seq}: an upper bound of every sequence number ever handed out, kept
 * outside the database so that a brand-new database (after quarantine) still starts above it.
 *
 * <p>Before a seq beyond the current reservation is used, a new block is reserved: the file is
 * written to a temporary sibling, fsynced, atomically renamed over the old one and the directory
 * fsynced. A clean close shrinks the reservation to the last seq used, so clean restarts continue
 * without a gap; after a crash numbering resumes above the reserved block.
 *
 * <p>Not thread-safe; the buffer calls it under its append lock.
 */
final class SeqReservation {

    static final long BLOCK = 1_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(SeqReservation.class);
    private static final String KEY = "reserved_up_to=";

    private final Path file;
    private long reservedUpTo;
    private final boolean unreadable;

    private SeqReservation(Path file, long reservedUpTo, boolean unreadable) {
        this.file = file;
        this.reservedUpTo = reservedUpTo;
        this.unreadable = unreadable;
    }

    static Path sidecarOf(Path db) {
        return db.resolveSibling(db.getFileName() + ".seq");
    }

    /** Reads the sidecar; a missing file reserves nothing (0), an unreadable one is reported and treated as 0. */
    static SeqReservation load(Path file) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(KEY)) {
                    return new SeqReservation(file, Long.parseLong(line.substring(KEY.length()).trim()), false);
                }
            }
            LOG.error("Sequence sidecar {} has no '{}' line; relying on the database high-water mark", file, KEY);
            return new SeqReservation(file, 0, true);
        } catch (NoSuchFileException e) {
            return new SeqReservation(file, 0, false);
        } catch (IOException | NumberFormatException e) {
            LOG.error("Sequence sidecar {} is unreadable ({}); relying on the database high-water mark", file, e.toString());
            return new SeqReservation(file, 0, true);
        }
    }

    long reservedUpTo() {
        return reservedUpTo;
    }

    boolean wasUnreadable() {
        return unreadable;
    }

    /** Makes sure every seq up to {@code lastSeq} is covered by a durable reservation. */
    void ensure(long lastSeq) {
        if (lastSeq > reservedUpTo) {
            write(lastSeq + BLOCK);
        }
    }

    /** At clean close: the reservation shrinks to the last seq actually handed out. */
    void shrinkTo(long lastUsed) {
        if (lastUsed < reservedUpTo) {
            write(lastUsed);
        }
    }

    private void write(long upTo) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] text = ("# meterlink: every gateway seq ever used is <= this value; never lower it by hand\n"
                + KEY + upTo + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            FilePermissions.createPrivate(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            fsyncDirectory(file.toAbsolutePath().getParent());
            reservedUpTo = upTo;
        } catch (IOException e) {
            throw new BufferException("cannot write sequence reservation " + file + ": " + e.getMessage(), e);
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems (and Windows) cannot open a directory; the rename is still atomic
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }
}
