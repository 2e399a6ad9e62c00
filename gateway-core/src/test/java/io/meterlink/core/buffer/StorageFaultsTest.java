package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage-fault policy and its persisted alarm (a real sidecar file). */
class StorageFaultsTest {

    @TempDir
    Path dir;

    private final TestReadings.MutableClock clock = new TestReadings.MutableClock();

    private StorageFaults faults() {
        AlarmSidecar sidecar = new AlarmSidecar(dir.resolve("buffer.db.alarms"));
        sidecar.allocate();
        return new StorageFaults(clock, sidecar, Duration.ofMinutes(10).toMillis());
    }

    @Test
    void fullDisk_isNeverGivenUp_alarmPersistedUntilAWriteSucceeds() throws Exception {
        StorageFaults f = faults();
        for (int i = 0; i < 1000; i++) {
            assertNull(f.failed(Alarm.Kind.STORAGE_FULL, false), "waiting is the only cure for a full disk");
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(Alarm.of(Alarm.Kind.STORAGE_FULL), f.alarm());
        assertEquals(AlarmSidecar.SIZE, Files.size(dir.resolve("buffer.db.alarms")), "written in place, never grown");
        // a restart (a new instance on the same sidecar) still shows it, with its time
        StorageFaults after = faults();
        assertEquals(Alarm.of(Alarm.Kind.STORAGE_FULL), after.alarm());
        assertEquals(TestReadings.T0.toEpochMilli(), after.stats(Map.of()).alarmRaisedAtMs());
        after.succeeded();
        assertNull(after.alarm());
        assertTrue(after.stats(Map.of()).lastClearedAtMs() > 0);
        assertNull(faults().alarm(), "cleared in the sidecar too");
        assertEquals(Map.of("storage_full", 1000L), f.stats(Map.of()).faults());
    }

    @Test
    void ioErrors_areGivenUpAfterTheirTime_readOnlyToo() {
        for (Alarm.Kind kind : new Alarm.Kind[] {Alarm.Kind.STORAGE_IO, Alarm.Kind.STORAGE_READONLY}) {
            StorageFaults f = faults();
            assertNull(f.failed(kind, false));
            clock.advance(Duration.ofMinutes(9));
            assertNull(f.failed(kind, false));
            clock.advance(Duration.ofMinutes(1));
            assertNotNull(f.failed(kind, false), kind + " for 10 minutes");
            f.succeeded();
        }
    }

    @Test
    void success_resetsTheClock_ofIoErrors() {
        StorageFaults f = faults();
        f.failed(Alarm.Kind.STORAGE_IO, false);
        clock.advance(Duration.ofMinutes(9));
        f.succeeded();
        clock.advance(Duration.ofMinutes(2));
        assertNull(f.failed(Alarm.Kind.STORAGE_IO, false), "a new fault, a new 10 minutes");
    }

    @Test
    void corruption_isGivenUpAfterThreeInARow_andAMissingFileAtOnce() {
        StorageFaults f = faults();
        assertNull(f.failed(Alarm.Kind.STORAGE_CORRUPT, false));
        assertNull(f.failed(Alarm.Kind.STORAGE_CORRUPT, false));
        assertNotNull(f.failed(Alarm.Kind.STORAGE_CORRUPT, false));
        assertTrue(f.corruptionSeen());
        assertNotNull(faults().failed(Alarm.Kind.STORAGE_FULL, true), "the database file is gone");
    }
}
