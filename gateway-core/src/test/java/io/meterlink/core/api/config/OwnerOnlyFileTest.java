package io.meterlink.core.api.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one owner-only rule for secret files, on a real POSIX file and on ACLs. */
class OwnerOnlyFileTest {
    @TempDir Path dir;

    private Path file(String mode) throws IOException {
        Path f = dir.resolve("secret-" + mode);
        Files.writeString(f, "s3cret-value\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void ownerBitsOnly_areAccepted_includingExecute() throws IOException {
        for (String mode : List.of("rw-------", "r--------", "rwx------")) {
            assertEquals(Optional.empty(), OwnerOnlyFile.problem(file(mode)), mode);
        }
        assertArrayEquals("s3cret-value\n".getBytes(), OwnerOnlyFile.readBytes(file("rw-------")));
    }

    @Test
    void anyGroupOrOtherBit_isRefused_includingExecute_withoutTheContent() throws IOException {
        for (String mode : List.of("rw-r-----", "rw--w----", "rw---x---", "rw----r--", "rw-----w-", "rw------x")) {
            Path f = file(mode);
            Optional<String> problem = OwnerOnlyFile.problem(f);
            assertTrue(problem.isPresent(), mode + " is refused");
            assertTrue(problem.get().contains("chmod 600") && problem.get().contains(mode), problem.get());
            assertFalse(problem.get().contains("s3cret"), "the content is never shown");
            IOException e = assertThrows(IOException.class, () -> OwnerOnlyFile.readBytes(f));
            assertEquals(problem.get(), e.getMessage());
        }
    }

    @Test
    void missingFile_isRefused_byName() {
        Path f = dir.resolve("absent.psk");
        Optional<String> problem = OwnerOnlyFile.problem(f);
        assertTrue(problem.isPresent() && problem.get().contains("absent.psk") && problem.get().contains("NoSuchFile"), problem.toString());
    }

    @Test
    void acl_allowingOnlyTheOwner_isAccepted_anyOtherPrincipal_isRefused() {
        UserPrincipal owner = () -> "alice";
        UserPrincipal everyone = () -> "Everyone";
        Path f = Path.of("C:/keys/meter.psk");
        AclEntry ownerRead = AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
                .setPermissions(AclEntryPermission.READ_DATA, AclEntryPermission.WRITE_DATA).build();
        AclEntry denyOthers = AclEntry.newBuilder().setType(AclEntryType.DENY).setPrincipal(everyone)
                .setPermissions(AclEntryPermission.READ_DATA).build();
        AclEntry othersRead = AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(everyone)
                .setPermissions(AclEntryPermission.READ_DATA).build();
        assertEquals(Optional.empty(), OwnerOnlyFile.aclProblem(f, owner, List.of(ownerRead, denyOthers)));
        Optional<String> problem = OwnerOnlyFile.aclProblem(f, owner, List.of(ownerRead, othersRead));
        assertTrue(problem.isPresent() && problem.get().contains("Everyone"), problem.toString());
    }
}
