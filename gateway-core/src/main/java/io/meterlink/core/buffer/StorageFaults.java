package io.meterlink.core.buffer;

import io.meterlink.core.api.alarm.Alarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The storage-fault state of one buffer: the active alarm (raised at the first failed transaction
 * of a kind, persisted in the {@link AlarmSidecar}, cleared by the next commit), counters, and the
 * rule that says when a fault is beyond recovery:
 * <ul>
 *   <li>{@code storage_full}: never; waiting (with the readings held in the bounded queue) is the
 *       only cure, a restart frees no space;</li>
 *   <li>{@code storage_corrupt}: after {@value #CORRUPT_ATTEMPTS} consecutive failures (a restart
 *       checks the file and quarantines it; {@code buffer salvage} recovers its readings);</li>
 *   <li>{@code storage_io}, {@code storage_readonly}: once failures have lasted {@code ioGiveUpMs}
 *       without a success (a file system the kernel made read-only after an error comes back only
 *       through an unmount, fsck and a new process);</li>
 *   <li>any kind: the database file is gone.</li>
 * </ul>
 * Written by the writer thread (and the read side for corruption); read by any thread.
 */
final class StorageFaults {

    static final int CORRUPT_ATTEMPTS = 3;
    /** Default time an I/O fault may last before the process gives up (exit, systemd restarts it). */
    static final long IO_GIVE_UP_MS = 10 * 60_000L;
    private static final Logger LOG = LoggerFactory.getLogger(StorageFaults.class);

    private final Clock clock;
    private final AlarmSidecar sidecar;
    private final long ioGiveUpMs;
    private final Map<Alarm.Kind, Long> counts = new EnumMap<>(Alarm.Kind.class);
    private volatile Alarm.Kind active;
    private volatile long raisedAtMs;
    private volatile long clearedAtMs;
    private volatile long recoveries;
    private volatile boolean corruptionSeen;
    private volatile boolean persisted;
    private int consecutiveCorrupt;
    private long firstFailureMs;

    StorageFaults(Clock clock, AlarmSidecar sidecar, long ioGiveUpMs) {
        this.clock = clock;
        this.sidecar = sidecar;
        this.ioGiveUpMs = ioGiveUpMs;
        AlarmSidecar.Persisted p = sidecar.read();
        if (p != null) {
            active = p.kind();
            raisedAtMs = p.raisedAtMs();
            persisted = true;
            LOG.warn("Storage alarm {} raised before the restart is still active until a write succeeds", p.kind().code());
        }
    }

    /**
     * Records a failed transaction of {@code kind}. Returns the reason the fault is beyond recovery,
     * or null to recover and retry.
     */
    synchronized String failed(Alarm.Kind kind, boolean databaseMissing) {
        long now = clock.millis();
        counts.merge(kind, 1L, Long::sum);
        if (firstFailureMs == 0) {
            firstFailureMs = now;
        }
        if (active != kind) {
            LOG.error("Buffer storage fault: {} (readings wait in the queue; drivers are slowed)", kind.code());
            active = kind;
            raisedAtMs = now;
            persisted = false;
        }
        if (!persisted) {
            persisted = sidecar.write(new AlarmSidecar.Persisted(kind, raisedAtMs));
        }
        if (kind == Alarm.Kind.STORAGE_CORRUPT) {
            corruptionSeen = true;
            consecutiveCorrupt++;
        } else {
            consecutiveCorrupt = 0;
        }
        if (databaseMissing) {
            return "the database file is gone";
        }
        if (consecutiveCorrupt >= CORRUPT_ATTEMPTS) {
            return "the database is corrupt (" + consecutiveCorrupt + " failures in a row)";
        }
        if ((kind == Alarm.Kind.STORAGE_IO || kind == Alarm.Kind.STORAGE_READONLY) && now - firstFailureMs >= ioGiveUpMs) {
            return kind.code() + " for " + (now - firstFailureMs) / 1000 + " s";
        }
        return null;
    }

    /** A read hit a corrupt page: same rule as a corrupt write. */
    String readCorrupt() {
        return failed(Alarm.Kind.STORAGE_CORRUPT, false);
    }

    synchronized void recovered() {
        recoveries++;
    }

    /** A transaction committed: the alarm (if any) clears. */
    void succeeded() {
        if (active == null && firstFailureMs == 0) {
            return;
        }
        synchronized (this) {
            if (active != null) {
                LOG.info("Buffer writes succeed again: {} cleared", active.code());
                clearedAtMs = clock.millis();
                active = null;
                raisedAtMs = 0;
                sidecar.write(null);
                persisted = false;
            }
            firstFailureMs = 0;
            consecutiveCorrupt = 0;
        }
    }

    /** The active storage alarm, or null. */
    Alarm alarm() {
        Alarm.Kind k = active;
        return k == null ? null : Alarm.of(k);
    }

    boolean corruptionSeen() {
        return corruptionSeen;
    }

    synchronized StorageStats stats(Map<String, Long> deadLettersByReason) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        counts.forEach((k, v) -> byKind.put(k.code(), v));
        return new StorageStats(Map.copyOf(byKind), recoveries, raisedAtMs, clearedAtMs, deadLettersByReason);
    }
}
