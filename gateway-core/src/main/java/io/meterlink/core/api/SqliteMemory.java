package io.meterlink.core.api;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * How much memory each SQLite connection of the gateway may hold, in one place: its page cache
 * ({@code PRAGMA cache_size}, a cap that is reached only by pages actually read) and no memory-mapped
 * I/O ({@code PRAGMA mmap_size = 0}: mapped pages of a 400 MB backlog would count in the resident set
 * as the file is read). The sizes, why, and what they changed are in docs/storage.md ("Memory").
 * Stateless; {@link #apply} runs on the caller's connection.
 */
public enum SqliteMemory {
    /**
     * The buffer's writer: group commits append at the right edge of the table and of the eviction
     * index (one insertion point per priority) and delete acknowledged readings at the left edge;
     * the interior pages of a 1 GiB buffer and those edges fit in 2 MiB (was 8 MiB).
     */
    BUFFER_WRITER(2048),
    /** The buffer's read side: reads each backlog page once, in seq order; it keeps the interior pages. */
    BUFFER_READER(1024),
    /** The buffer's checkpointer: a checkpoint copies WAL frames to the file without the page cache. */
    BUFFER_CHECKPOINT(256),
    /** The integrity check at an unclean open: reads the whole file once, nothing is read twice. */
    BUFFER_CHECK(256),
    /** Small stores of a driver (wM-Bus formats, pulse counters): files of a few pages. */
    SMALL_STORE(256);

    private final int cacheKib;

    SqliteMemory(int cacheKib) {
        this.cacheKib = cacheKib;
    }

    /** The page cache cap in KiB. */
    public int cacheKib() {
        return cacheKib;
    }

    /** Sets this role's page cache and turns memory-mapped I/O off on the statement's connection. */
    public void apply(Statement s) throws SQLException {
        s.execute("PRAGMA cache_size = -" + cacheKib);
        s.execute("PRAGMA mmap_size = 0");
    }
}
