package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies the WAL back into the database file on its own thread and connection
 * ({@code PRAGMA wal_checkpoint(PASSIVE)}, at most every {@value #MIN_GAP_MS} ms after commits),
 * so the writer thread's commits do not pay for checkpoints. A checkpoint takes no write lock; it
 * never blocks the writer or the readers. The writer keeps a large automatic checkpoint as a safety
 * net. Thread-safe.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    static final long MIN_GAP_MS = 200;

    private final Connection conn;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committed = lock.newCondition();
    private boolean pending;
    private boolean stopped;

    Checkpointer(Connection conn, boolean synchronousFull) throws SQLException {
        this.conn = conn;
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
            io.meterlink.core.api.SqliteMemory.BUFFER_CHECKPOINT.apply(s);
        }
        this.thread = new Thread(this::run, "buffer-checkpoint");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Called by the writer after a commit. */
    void committed() {
        lock.lock();
        try {
            if (!pending) {
                pending = true;
                committed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try (Statement s = conn.createStatement()) {
            while (awaitCommit()) {
                try {
                    s.execute("PRAGMA wal_checkpoint(PASSIVE)");
                } catch (SQLException e) {
                    LOG.warn("WAL checkpoint failed: {}", e.toString());
                }
                Thread.sleep(MIN_GAP_MS);
            }
        } catch (SQLException e) {
            LOG.warn("WAL checkpointer stopped: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitCommit() throws InterruptedException {
        lock.lock();
        try {
            while (!pending && !stopped) {
                committed.await(1, TimeUnit.SECONDS);
            }
            pending = false;
            return !stopped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            committed.signal();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("closing the checkpoint connection failed: {}", e.toString());
        }
    }
}
