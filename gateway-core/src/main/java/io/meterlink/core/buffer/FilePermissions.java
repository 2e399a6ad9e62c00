package io.meterlink.core.buffer;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Buffer files are the owner's only (0600) whatever the umask: each is created empty with that mode
 * before anything (SQLite included) writes to it. SQLite gives the {@code -wal} and {@code -shm}
 * files it creates the mode of the database file.
 */
final class FilePermissions {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private FilePermissions() {
    }

    /** Creates {@code file} empty with mode 0600 unless it exists; an existing file is left as it is. */
    static void createPrivate(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            return;
        }
        restrict(file);
    }

    /** Sets mode 0600 (where the file system has POSIX modes). */
    static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): nothing to tighten
        }
    }
}
