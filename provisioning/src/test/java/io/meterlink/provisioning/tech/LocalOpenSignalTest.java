package io.meterlink.provisioning.tech;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalOpenSignalTest {
    @TempDir Path state;

    private int myUid() throws Exception {
        Path probe = Files.createTempFile(state, "uid", ".probe");
        return (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test void request_writesA0600TriggerThatIsConsumedOnce() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid(), Clock.systemUTC());
        signal.request();
        assertTrue(signal.pending());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(signal.file())));
        assertTrue(signal.consume());
        assertFalse(signal.pending());
        assertFalse(signal.consume());
    }

    @Test void request_byAnotherUserThanRequired_isRefused() throws Exception {
        int someoneElse = myUid() == 0 ? 4242 : 0;
        LocalOpenSignal signal = new LocalOpenSignal(state, someoneElse, Clock.systemUTC());
        assertThrows(LocalOpenSignal.NotPermittedException.class, signal::request);
        assertFalse(signal.pending());
    }

    @Test void consume_groupOrWorldReadableTrigger_isDeletedAndIgnored() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid(), Clock.systemUTC());
        Files.writeString(signal.file(), "");
        Files.setPosixFilePermissions(signal.file(), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertFalse(signal.consume());
        assertFalse(signal.pending());
    }

    @Test void consume_triggerOwnedByAnotherUser_isIgnored() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid() == 0 ? 4242 : 0, Clock.systemUTC());
        Files.createFile(signal.file(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertFalse(signal.consume());
        assertFalse(signal.pending());
    }

    @Test void consume_symlink_isIgnored() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid(), Clock.systemUTC());
        Path target = Files.createFile(state.resolve("target"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.createSymbolicLink(signal.file(), target);
        assertFalse(signal.consume());
        assertTrue(Files.exists(target), "the link is removed, never its target");
    }

    @Test void consume_staleTrigger_isIgnored() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid(), Clock.systemUTC());
        signal.request();
        Files.setLastModifiedTime(signal.file(), FileTime.from(Instant.now().minus(LocalOpenSignal.MAX_AGE).minus(Duration.ofSeconds(5))));
        assertFalse(signal.consume());
    }

    @Test void watch_opensTheEndpointOnARequest() throws Exception {
        LocalOpenSignal signal = new LocalOpenSignal(state, myUid(), Clock.systemUTC());
        CountDownLatch opened = new CountDownLatch(1);
        try (AutoCloseable watcher = signal.watch(opened::countDown)) {
            signal.request();
            assertTrue(opened.await(20, TimeUnit.SECONDS));
        }
        assertFalse(signal.pending());
    }
}
