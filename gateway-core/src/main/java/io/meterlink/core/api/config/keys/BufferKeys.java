package io.meterlink.core.api.config.keys;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;

/** The {@code buffer:} section: the SQLite store of record. */
public final class BufferKeys {
    private BufferKeys() {
    }

    public static final long MIB = 1024L * 1024L;

    public static final ConfigKey<Optional<Path>> PATH = ConfigKey.path("path",
            "the SQLite store of record").defaultDescribed("`<state_dir>/buffer.db`");
    public static final ConfigKey<Long> MAX_BYTES = ConfigKey.bytes("max_bytes", 256 * MIB, 64 * 1024, 1L << 40,
            "bound on stored readings (encoded body + 64 bytes per reading); beyond it the lowest priority, oldest readings are evicted, billing registers last");
    public static final ConfigKey<Integer> MIN_FREE_DISK_PERCENT = ConfigKey.integer("min_free_disk_percent", 5, 0, 90,
            "below this share of free disk the buffer stops growing (evicts instead)");
    public static final ConfigKey<Duration> COMMIT_INTERVAL = ConfigKey.duration("commit_interval", Duration.ofMillis(200),
            Duration.ofMillis(1), Duration.ofSeconds(10), "longest a reading waits for its group commit");
    public static final ConfigKey<Integer> COMMIT_MAX_READINGS = ConfigKey.integer("commit_max_readings", 1000, 1, 100_000,
            "readings that start a commit and go into one transaction (up to 8 times as many while more are already waiting)");
    public static final ConfigKey<String> SYNCHRONOUS = ConfigKey.choice("synchronous", "full", List.of("full", "normal"),
            "`full` survives power loss; `normal` survives process crashes only");
    public static final ConfigKey<Integer> QUEUE_CAPACITY = ConfigKey.integer("queue_capacity", 20_000, 1, 10_000_000,
            "readings waiting for a commit before drivers are slowed down (the only readings not yet durable; they also wait here while a storage fault such as a full disk lasts, docs/storage.md); "
                    + "while the writer is backed up, the transaction being written takes up to 8 × `commit_max_readings` out of the queue, so memory holds at most this many plus one such transaction");

    public static final ConfigKey<String> STORED_FORM = ConfigKey.choice("stored_form", "json", List.of("json", "records"),
            "how readings are stored: JSON v1 objects, or under `uplink.payload: compact` binary records that drain without parsing (a release before 2026-12-07 cannot read them: keep `json` while a rollback to one is possible, docs/payloads.md)");

    public static final KeyGroup GROUP = KeyGroup.of("gateway", "buffer", PATH, MAX_BYTES, MIN_FREE_DISK_PERCENT,
            COMMIT_INTERVAL, COMMIT_MAX_READINGS, SYNCHRONOUS, QUEUE_CAPACITY, STORED_FORM);
}
