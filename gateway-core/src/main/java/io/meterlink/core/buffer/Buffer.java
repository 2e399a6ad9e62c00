package io.meterlink.core.buffer;

import io.meterlink.core.api.Reading;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The store of record (SQLite). A reading is <em>accepted</em> when the transaction that holds it
 * commits; it is deleted only when {@link #confirm} says the broker acknowledged the batch that
 * carried it. One writer thread does every write (append, confirm, dead-letter, eviction); reads
 * for the uplink use their own connection (WAL).
 *
 * <p>Thread-safe.
 */
public interface Buffer extends AutoCloseable {

    /**
     * Stamps each reading with the next gateway sequence number, encodes it and queues it for the
     * next group commit. Blocks while the pre-commit queue is full (back-pressure). The future
     * completes with the assigned sequence numbers (in order) once the transaction committed, or
     * exceptionally if it could not be stored.
     */
    CompletableFuture<long[]> append(List<Reading> readings) throws InterruptedException;

    /**
     * Up to {@code maxReadings} stored readings with {@code seq > afterSeq}, lowest seq first,
     * stopping before the total encoded size would exceed {@code maxBytes} (at least one reading is
     * returned when any exists). Reads committed data only.
     */
    List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes);

    /** Lowest seq still stored (0 when empty). */
    long lowestSeq();

    /** Highest seq committed so far (ever, across restarts; 0 when none). */
    long highestCommittedSeq();

    /**
     * The highest seq committed when this buffer was opened (0 when none): everything up to it was
     * stored by an earlier run of the process, so it is backlog for this run's first connection.
     */
    long highestSeqAtOpen();

    /** The broker acknowledged these readings: delete them. Asynchronous; durable at the next commit. */
    void confirm(long[] seqs);

    /** These readings can never be published (too big, refused): move them to the dead-letter table. */
    void deadLetter(long[] seqs, String reason);

    /** Called (on the writer thread, must not block) after every commit that added readings. */
    void onCommit(Runnable listener);

    BufferStats stats();

    /**
     * Called once (on the thread that found it) when a storage fault is beyond recovery: the buffer
     * stores nothing more and every later append fails. The process should exit non-zero so that
     * its supervisor restarts it. Called at once when that already happened.
     */
    default void onFatal(java.util.function.Consumer<BufferException> listener) {
    }

    /**
     * Commits everything queued so far (readings, confirms, dead letters) now, without waiting for
     * the group-commit interval; the future completes after that commit. An implementation that
     * writes through (nothing pending) may return a completed future.
     */
    default CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Whether a storage fault (full disk, read-only or failing storage) is being retried now: the
     * writer waits for the storage to come back and appends wait on the bounded queue. Cheap; any thread.
     */
    default boolean storageFaultActive() {
        return false;
    }

    /** Flushes the pending group commit, then closes. */
    @Override
    void close();
}
