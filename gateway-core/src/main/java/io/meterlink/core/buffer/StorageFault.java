package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Sorts a failed buffer transaction into a storage fault kind (the alarm it raises) or none (a
 * failure that retrying cannot cure, such as a constraint violation).
 */
final class StorageFault {

    /** Below this many usable bytes an I/O error is taken for a full file system. */
    private static final long NEARLY_FULL_BYTES = 64 * 1024;

    private StorageFault() {
    }

    /** The SQLite primary result code of {@code e} or of a cause, or -1. */
    static int primaryCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException se) {
                return se.getResultCode().code & 0xff;
            }
            if (t instanceof SQLException sql && sql.getErrorCode() > 0) {
                return sql.getErrorCode() & 0xff;
            }
        }
        return -1;
    }

    /**
     * The alarm kind for {@code e}, refined by what the file system says (read-only, no space left);
     * {@code null} when it is not a storage fault.
     */
    static Alarm.Kind classify(Throwable e, Path db) {
        int code = primaryCode(e);
        Alarm.Kind kind;
        if (code == SQLiteErrorCode.SQLITE_FULL.code) {
            kind = Alarm.Kind.STORAGE_FULL;
        } else if (code == SQLiteErrorCode.SQLITE_READONLY.code) {
            kind = Alarm.Kind.STORAGE_READONLY;
        } else if (code == SQLiteErrorCode.SQLITE_IOERR.code || code == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            kind = Alarm.Kind.STORAGE_IO;
        } else if (code == SQLiteErrorCode.SQLITE_CORRUPT.code || code == SQLiteErrorCode.SQLITE_NOTADB.code) {
            kind = Alarm.Kind.STORAGE_CORRUPT;
        } else {
            return null;
        }
        if (kind == Alarm.Kind.STORAGE_IO) {
            // an I/O error on a file system that is full or read-only is that, not a dying card
            Alarm.Kind fs = fileSystemState(db);
            if (fs != null) kind = fs;
        }
        return kind;
    }

    /**
     * STORAGE_READONLY or STORAGE_FULL when the file system of {@code db} says so, else null. A
     * file system the kernel made read-only after an error (ext4 {@code errors=remount-ro}) still
     * reports itself writable: creating and deleting a probe file next to the database tells.
     */
    static Alarm.Kind fileSystemState(Path db) {
        Path dir = db.toAbsolutePath().getParent();
        try {
            FileStore store = Files.getFileStore(dir);
            if (store.isReadOnly()) {
                return Alarm.Kind.STORAGE_READONLY;
            }
            if (store.getUsableSpace() < NEARLY_FULL_BYTES) {
                return Alarm.Kind.STORAGE_FULL;
            }
        } catch (IOException e) {
            return null;
        }
        Path probe = DatabaseFiles.sibling(db, ".probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (FileSystemException e) {
            String reason = String.valueOf(e.getReason());
            if (reason.contains("Read-only")) {
                return Alarm.Kind.STORAGE_READONLY;
            }
            if (reason.contains("No space")) {
                return Alarm.Kind.STORAGE_FULL;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
