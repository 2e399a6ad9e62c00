package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The sidecar {@code <db>.alarms}: the active storage alarm and when it was raised, kept outside the
 * database because a full or read-only database cannot record it. The file is created at open with
 * a fixed size ({@value #SIZE} bytes) and then only overwritten in place, so recording an alarm on a
 * full file system needs no new block. A read-only file system cannot record it at all: then the
 * alarm lives in memory and is raised again by the first failed write after a restart.
 *
 * <p>Format: {@code kind=<code>\nraised_at=<epoch ms>\n} (or {@code kind=\n} when none), padded with
 * spaces. Confined to the writer thread after open.
 */
final class AlarmSidecar {

    static final int SIZE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(AlarmSidecar.class);

    /** A persisted alarm and when it was raised. */
    record Persisted(Alarm.Kind kind, long raisedAtMs) {
    }

    private final Path file;

    AlarmSidecar(Path file) {
        this.file = file;
    }

    static Path of(Path db) {
        return DatabaseFiles.sibling(db, ".alarms");
    }

    /** Reads the persisted alarm; null when none, the file is missing or unreadable. */
    Persisted read() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Alarm.Kind kind = null;
            long at = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith("kind=")) {
                    kind = Alarm.Kind.ofCode(line.substring(5).trim());
                } else if (line.startsWith("raised_at=")) {
                    at = Long.parseLong(line.substring(10).trim());
                }
            }
            return kind == null ? null : new Persisted(kind, at);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Alarm sidecar {} is unreadable ({}); ignoring it", file, e.toString());
            return null;
        }
    }

    /** Creates the file at its full size (0600) when missing; best effort. */
    void allocate() {
        if (!Files.exists(file)) {
            write(null);
        }
    }

    /** Records {@code p} (null: no alarm) in place; false when the file system refused. */
    boolean write(Persisted p) {
        String text = p == null ? "kind=\n" : "kind=" + p.kind().code() + "\nraised_at=" + p.raisedAtMs() + "\n";
        byte[] bytes = new byte[SIZE];
        java.util.Arrays.fill(bytes, (byte) ' ');
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, bytes, 0, t.length);
        bytes[SIZE - 1] = '\n';
        try {
            FilePermissions.createPrivate(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                long pos = 0;
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                ch.force(false);
            }
            return true;
        } catch (IOException e) {
            LOG.debug("cannot record the storage alarm in {}: {}", file, e.toString());
            return false;
        }
    }
}
