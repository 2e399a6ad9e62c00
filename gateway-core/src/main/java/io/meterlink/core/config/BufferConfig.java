package io.meterlink.core.config;

import io.meterlink.core.api.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code buffer:} section.
 *
 * @param path               SQLite file (default {@code <state_dir>/buffer.db})
 * @param maxBytes           size bound of stored readings (default 256 MiB)
 * @param minFreeDiskPercent stop growing (evict instead) below this share of free disk (default 5)
 * @param commitInterval     longest a reading waits for its group commit (default 200 ms)
 * @param commitMaxReadings  most readings per transaction (default 1,000)
 * @param synchronousFull    {@code synchronous=FULL} (durable across power loss, default) or NORMAL
 * @param queueCapacity      readings waiting for commit before producers block (default 20,000)
 */
public record BufferConfig(
        Path path,
        long maxBytes,
        int minFreeDiskPercent,
        Duration commitInterval,
        int commitMaxReadings,
        boolean synchronousFull,
        int queueCapacity) {

    public static final long MIB = 1024L * 1024L;

    public static BufferConfig defaults(Path path) {
        return new BufferConfig(path, 256 * MIB, 5, Duration.ofMillis(200), 1000, true, 20_000);
    }

    public static BufferConfig bind(Settings s, Path stateDir) {
        Path path = s.path("path").orElse(stateDir.resolve("buffer.db"));
        long maxBytes = s.bytes("max_bytes", 256 * MIB, 64 * 1024, 1L << 40);
        int minFree = s.integer("min_free_disk_percent", 5, 0, 90);
        Duration interval = s.duration("commit_interval", Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofSeconds(10));
        int maxReadings = s.integer("commit_max_readings", 1000, 1, 100_000);
        boolean full = "full".equals(s.choice("synchronous", "full", Set.of("full", "normal")));
        int queue = s.integer("queue_capacity", 20_000, 1, 10_000_000);
        s.finish();
        return new BufferConfig(path, maxBytes, minFree, interval, maxReadings, full, queue);
    }
}
