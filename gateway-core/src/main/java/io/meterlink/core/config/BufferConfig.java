package io.meterlink.core.config;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.keys.BufferKeys;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code buffer:} section, bound from the keys {@link BufferKeys} declares (defaults and bounds there).
 *
 * @param path               SQLite file (default {@code <state_dir>/buffer.db})
 * @param maxBytes           size bound of stored readings (default 256 MiB)
 * @param minFreeDiskPercent stop growing (evict instead) below this share of free disk (default 5)
 * @param commitInterval     longest a reading waits for its group commit (default 200 ms)
 * @param commitMaxReadings  readings that start a commit and go into one transaction, up to 8 times as many while more wait (default 1,000)
 * @param synchronousFull    {@code synchronous=FULL} (durable across power loss, default) or NORMAL
 * @param queueCapacity      readings waiting for commit before producers block (default 20,000)
 * @param recordsStored      readings stored as binary records under {@code uplink.payload: compact} ({@code stored_form: records}; default JSON)
 * @param keepLayout         not from the file: {@link #keepingLayout()}
 */
public record BufferConfig(
        Path path,
        long maxBytes,
        int minFreeDiskPercent,
        Duration commitInterval,
        int commitMaxReadings,
        boolean synchronousFull,
        int queueCapacity,
        boolean recordsStored,
        boolean keepLayout) {

    /** Readings stored as JSON v1 objects (the default stored form). */
    public BufferConfig(Path path, long maxBytes, int minFreeDiskPercent, Duration commitInterval, int commitMaxReadings,
                        boolean synchronousFull, int queueCapacity) {
        this(path, maxBytes, minFreeDiskPercent, commitInterval, commitMaxReadings, synchronousFull, queueCapacity, false, false);
    }

    /** The same as the configuration file says it ({@link #keepLayout()} is not from the file). */
    public BufferConfig asConfigured() {
        return new BufferConfig(path, maxBytes, minFreeDiskPercent, commitInterval, commitMaxReadings, synchronousFull,
                queueCapacity, recordsStored, false);
    }

    /**
     * The same, keeping the buffer file's layout: a file with a row per reading (schema 2, or a new
     * file) is not packed into segments, so that the release before this one can still read it; set
     * while an update is on trial (docs/fleet.md). A packed file stays packed.
     */
    public BufferConfig keepingLayout() {
        return new BufferConfig(path, maxBytes, minFreeDiskPercent, commitInterval, commitMaxReadings, synchronousFull,
                queueCapacity, recordsStored, true);
    }

    public static final long MIB = BufferKeys.MIB;

    /** Every key at its declared default ({@link BufferKeys}). */
    public static BufferConfig defaults(Path path) {
        return new BufferConfig(path, BufferKeys.MAX_BYTES.defaultValue(), BufferKeys.MIN_FREE_DISK_PERCENT.defaultValue(),
                BufferKeys.COMMIT_INTERVAL.defaultValue(), BufferKeys.COMMIT_MAX_READINGS.defaultValue(),
                "full".equals(BufferKeys.SYNCHRONOUS.defaultValue()), BufferKeys.QUEUE_CAPACITY.defaultValue(),
                "records".equals(BufferKeys.STORED_FORM.defaultValue()), false);
    }

    public static BufferConfig bind(Settings s, Path stateDir) {
        Path path = s.get(BufferKeys.PATH).orElse(stateDir.resolve("buffer.db"));
        long maxBytes = s.get(BufferKeys.MAX_BYTES);
        int minFree = s.get(BufferKeys.MIN_FREE_DISK_PERCENT);
        Duration interval = s.get(BufferKeys.COMMIT_INTERVAL);
        int maxReadings = s.get(BufferKeys.COMMIT_MAX_READINGS);
        boolean full = "full".equals(s.get(BufferKeys.SYNCHRONOUS));
        int queue = s.get(BufferKeys.QUEUE_CAPACITY);
        boolean records = "records".equals(s.get(BufferKeys.STORED_FORM));
        s.finish();
        return new BufferConfig(path, maxBytes, minFree, interval, maxReadings, full, queue, records, false);
    }
}
