package io.meterlink.provisioning.update;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpdateGuardTest {
    @TempDir Path dir;

    private Releases installed() throws Exception {
        Releases r = new Releases(dir.resolve("releases"));
        Files.createDirectories(r.root().resolve("1.0"));
        Files.writeString(r.jar("1.0"), "release one");
        Files.createSymbolicLink(r.root().resolve(Releases.CURRENT), Path.of("1.0"));
        Path jar = Files.writeString(dir.resolve("new.jar"), "release two");
        r.install("2.0", jar);
        return r;
    }

    @Test
    void activate_switchesCurrent_andMarksTheTrial() throws Exception {
        Releases r = installed();
        Releases.Pending p = r.activate("2.0");
        assertEquals("1.0", p.previous());
        assertEquals("2.0", r.current().orElseThrow());
        assertEquals(p, r.pending().orElseThrow());
        assertEquals("release two", Files.readString(r.root().resolve("current").resolve(Releases.JAR)));
    }

    @Test
    void release_thatDeliversNoStatus_isRolledBack_andTheProcessRestarts() throws Exception {
        Releases r = installed();
        r.activate("2.0");
        CountDownLatch restarted = new CountDownLatch(1);
        List<String> alarms = new CopyOnWriteArrayList<>();
        try (UpdateGuard g = UpdateGuard.start(r, () -> false, Duration.ofMillis(500), restarted::countDown, a -> alarms.add(a.text()))) {
            assertTrue(restarted.await(10, TimeUnit.SECONDS), "restart asked for");
        }
        assertEquals("1.0", r.current().orElseThrow());
        assertTrue(r.pending().isEmpty());
        assertEquals("2.0", r.failed().get("version"));
        assertTrue(r.failed().get("reason").contains("no status"), r.failed().toString());
        // the previous release, started again, reports it
        UpdateGuard.start(r, () -> true, Duration.ofSeconds(1), () -> { }, a -> alarms.add(a.text())).close();
        assertEquals(List.of("update_rolled_back:2.0"), alarms);
    }

    @Test
    void release_thatDeliversItsStatus_isConfirmed_andOldReleasesPruned() throws Exception {
        Releases r = installed();
        Files.createDirectories(r.root().resolve("0.9"));
        r.activate("2.0");
        AtomicBoolean restarted = new AtomicBoolean();
        try (UpdateGuard g = UpdateGuard.start(r, () -> true, Duration.ofSeconds(10), () -> restarted.set(true), a -> { })) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.pending().isPresent() && System.nanoTime() < deadline) Thread.sleep(20);
        }
        assertTrue(r.pending().isEmpty());
        assertEquals("2.0", r.confirmed().get("version"));
        assertFalse(restarted.get());
        assertFalse(Files.exists(r.root().resolve("0.9")), "only the current and the previous release are kept");
        assertTrue(Files.exists(r.jar("1.0")));
    }

    @Test
    void anEarlierFailure_isNotRaised_byTheNextReleaseOnTrial() throws Exception {
        Releases r = installed();
        Releases.Pending p = r.activate("2.0");
        r.rollback(p, "test");
        Files.writeString(dir.resolve("three.jar"), "release three");
        r.install("3.0", dir.resolve("three.jar"));
        r.activate("3.0");
        List<String> alarms = new CopyOnWriteArrayList<>();
        try (UpdateGuard g = UpdateGuard.start(r, () -> true, Duration.ofSeconds(10), () -> { }, a -> alarms.add(a.text()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.pending().isPresent() && System.nanoTime() < deadline) Thread.sleep(20);
        }
        assertEquals(List.of(), alarms);
        assertTrue(r.failed().isEmpty(), "a confirmed update clears the report of the failed one");
    }

    @Test
    void install_refusesVersionsThatAreNoDirectoryName_andTheRunningRelease() throws Exception {
        Releases r = installed();
        Path jar = dir.resolve("new.jar");
        assertThrows(io.meterlink.provisioning.secret.ProvisioningException.class, () -> r.install("../x", jar));
        assertThrows(io.meterlink.provisioning.secret.ProvisioningException.class, () -> r.install("1.0", jar));
        assertEquals("release one", Files.readString(r.jar("1.0")));
    }
}
