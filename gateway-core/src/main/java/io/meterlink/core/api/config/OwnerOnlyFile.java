package io.meterlink.core.api.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one rule for files that hold secrets (meter keys, meter passwords, DTLS pre-shared and private
 * keys), used by every driver that reads one:
 * <ul>
 *   <li>on a POSIX file system the file is owner-only when its group and others have no permission
 *       bit at all: no read, no write and no execute ({@code chmod 600}, or {@code 400}/{@code 700});</li>
 *   <li>on a file system without POSIX modes it is accepted only when its ACL can be read and allows
 *       nobody but the file's owner (every {@code ALLOW} entry names the owner); a file whose access
 *       cannot be checked at all is refused, since a secret we cannot prove private is not used.</li>
 * </ul>
 * Messages name the file and what to do, never its content. Stateless, thread-safe.
 */
public final class OwnerOnlyFile {
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private OwnerOnlyFile() {
    }

    /** Why {@code file} may not hold a secret (exposed, unreadable, unverifiable), or empty when it is owner-only. */
    public static Optional<String> problem(Path file) {
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) return posixProblem(file, posix.readAttributes().permissions());
            AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
            if (acl != null) return aclProblem(file, acl.getOwner(), acl.getAcl());
            return Optional.of("cannot check who may read " + file + " (this file system has neither POSIX modes nor ACLs):"
                    + " keep it on a POSIX file system, mode 600");
        } catch (IOException e) {
            return Optional.of("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    /**
     * The bytes of {@code file} when {@link #problem} finds none; the caller wipes them after use.
     *
     * @throws IOException with the problem (or the read failure) as its message, naming the file only
     */
    public static byte[] readBytes(Path file) throws IOException {
        Optional<String> problem = problem(file);
        if (problem.isPresent()) throw new IOException(problem.get());
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    static Optional<String> posixProblem(Path file, Set<PosixFilePermission> permissions) {
        if (OWNER.containsAll(permissions)) return Optional.empty();
        return Optional.of(file + " has mode " + PosixFilePermissions.toString(permissions)
                + ": its group or others have access; it must be readable by its owner only (chmod 600)");
    }

    static Optional<String> aclProblem(Path file, UserPrincipal owner, List<AclEntry> acl) {
        for (AclEntry e : acl) {
            if (e.type() == AclEntryType.ALLOW && !e.principal().equals(owner) && !e.permissions().isEmpty()) {
                return Optional.of(file + " allows " + e.principal().getName()
                        + " access; it must be readable by its owner only (chmod 600, or an ACL for the owner alone)");
            }
        }
        return Optional.empty();
    }
}
