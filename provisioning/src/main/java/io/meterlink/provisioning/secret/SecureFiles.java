package io.meterlink.provisioning.secret;

import io.meterlink.provisioning.secret.ProvisioningException.Kind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Files that hold secrets or state: owner-only directories (0700) and files (0600), written
 * atomically (temporary file created 0600 from the start, written, fsync'd, renamed over the target,
 * directory fsync'd), so that a power cut leaves either the old or the new content, never a mix.
 * Requires a POSIX file system. Stateless; thread-safe.
 */
public final class SecureFiles {
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    /** Suffix of the previous version kept by {@link #replace(Path, byte[], boolean)}. */
    public static final String PREVIOUS = ".prev";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecureFiles() {
    }

    /** Creates {@code dir} and any missing parents with mode 0700; an existing directory is tightened to 0700. */
    public static void privateDirectory(Path dir) throws ProvisioningException {
        try {
            Path abs = dir.toAbsolutePath();
            if (Files.isDirectory(abs)) {
                Files.setPosixFilePermissions(abs, DIR_MODE);
                return;
            }
            Path parent = abs.getParent();
            if (parent != null && !Files.isDirectory(parent)) privateDirectory(parent);
            try {
                Files.createDirectory(abs, dirAttribute());
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(abs)) throw e;
            }
            Files.setPosixFilePermissions(abs, DIR_MODE); // the umask may have narrowed the creation mode
        } catch (UnsupportedOperationException e) {
            throw new ProvisioningException(Kind.STORAGE, "the state directory " + dir + " must be on a POSIX file system", e);
        } catch (IOException e) {
            throw storage("cannot create the directory " + dir, e);
        }
    }

    /**
     * Atomically replaces (or creates) {@code target} with {@code content}, mode 0600. With
     * {@code keepPrevious}, an existing target is first copied to {@code target.prev} (also atomically).
     */
    public static void replace(Path target, byte[] content, boolean keepPrevious) throws ProvisioningException {
        try {
            if (keepPrevious && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Path prev = target.resolveSibling(target.getFileName() + PREVIOUS);
                moveInto(prev, writeTemp(target.getParent(), Files.readAllBytes(target)));
            }
            moveInto(target, writeTemp(target.getParent(), content));
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw storage("cannot write " + target, e);
        }
    }

    /** Creates {@code target} with {@code content}, mode 0600; fails if it exists. Not atomic on its own: callers stage. */
    public static void create(Path target, byte[] content) throws ProvisioningException {
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttribute())) {
            write(ch, content);
        } catch (IOException e) {
            throw storage("cannot write " + target, e);
        }
    }

    /** Atomically points the symbolic link {@code link} at {@code target} (a new link renamed over the old one). */
    public static void relink(Path link, Path target) throws ProvisioningException {
        Path tmp = link.resolveSibling("." + link.getFileName() + ".tmp-" + suffix());
        try {
            Files.createSymbolicLink(tmp, target);
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(link.toAbsolutePath().getParent());
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the stray link is harmless; the real error is reported below
            }
            throw storage("cannot point " + link + " at " + target, e);
        }
    }

    /** Flushes a file's content to the device. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Flushes a directory entry list (renames, creations) to the device; a no-op where the platform cannot. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory for reading: the rename is still atomic
        }
    }

    /** Deletes {@code path} and everything under it, not following symbolic links. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(path)) {
                for (Path child : (Iterable<Path>) children::iterator) deleteTree(child);
            }
        }
        Files.delete(path);
    }

    private static Path writeTemp(Path dir, byte[] content) throws IOException {
        Path tmp = dir.resolve(".tmp-" + suffix());
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttribute())) {
            write(ch, content);
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.setPosixFilePermissions(tmp, FILE_MODE);
        return tmp;
    }

    private static void moveInto(Path target, Path tmp) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) { // including AtomicMoveNotSupportedException: never fall back to a torn copy
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void write(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static String suffix() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE_MODE);
    }

    private static FileAttribute<Set<PosixFilePermission>> dirAttribute() {
        return PosixFilePermissions.asFileAttribute(DIR_MODE);
    }

    private static ProvisioningException storage(String what, Exception e) {
        // the exception's own message names a path at most; never content
        return new ProvisioningException(Kind.STORAGE, what + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    }
}
