package io.meterlink.core.buffer;

import io.meterlink.core.api.Priority;
import io.meterlink.core.api.Reading;
import io.meterlink.core.config.BufferConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The SQLite store of record (WAL mode, one writer connection on one writer thread, a separate
 * read connection).
 *
 * <p><b>Group commit.</b> {@link #append} stamps seqs, encodes and queues the readings; the writer
 * thread commits when {@code commitMaxReadings} readings wait or the oldest has waited
 * {@code commitInterval}, and completes the futures after {@code COMMIT}. Future stages that are
 * not {@code *Async} run on the writer thread: keep them short. At most {@code queueCapacity}
 * readings wait for a commit (plus one transaction being written); then {@code append} blocks.
 *
 * <p><b>Sequence numbers</b> start at 1 and never repeat: the high-water mark is stored with the
 * inserts, and the sidecar {@code <db>.seq} reserves blocks of {@value SeqReservation#BLOCK}
 * durably before they are used, so a new database (after quarantine) starts above every seq ever
 * used. After a crash numbering resumes above the reserved block (a gap, never a repeat).
 *
 * <p><b>Bounds.</b> Each row counts {@code body.length + }{@value Schema#ROW_OVERHEAD_BYTES} bytes
 * against {@code maxBytes}; while the file system has less than {@code minFreeDiskPercent} free
 * (checked at most once a second) the buffer does not grow. Over a bound the writer evicts the
 * lowest priority first, oldest first (billing last), counted per reason in {@code meta}.
 *
 * <p><b>Integrity.</b> At open, {@code PRAGMA quick_check}; a failing file is renamed (with its
 * WAL/SHM) to {@code <name>.corrupt-<UTC time>}, kept, and the alarm
 * {@code database_quarantined:<renamed path>} is recorded in the new database.
 *
 * <p>A lock file {@code <db>.lock} keeps a second gateway process off the same database.
 * Thread-safe.
 */
public final class SqliteBuffer implements Buffer {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteBuffer.class);

    private final Path db;
    private final ReadingEncoder encoder;
    private final Clock clock;
    private final long maxBytes;
    private final BufferState state;
    private final SeqReservation reservation;
    private final PendingQueue queue;
    private final BufferWriter writer;
    private final ReadSide readSide;
    private final Checkpointer checkpointer;
    private final FileLock fileLock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread writerThread;
    /** Next seq to hand out; written under the queue lock (see {@link PendingQueue#put}), read at close. */
    private volatile long nextSeq;
    private String lastFailure;

    private SqliteBuffer(Path db, ReadingEncoder encoder, Clock clock, BufferConfig cfg, BufferState state,
                         SeqReservation reservation, BufferWriter writer, ReadSide readSide, Checkpointer checkpointer, FileLock fileLock, long nextSeq) {
        this.db = db;
        this.encoder = encoder;
        this.clock = clock;
        this.maxBytes = cfg.maxBytes();
        this.state = state;
        this.reservation = reservation;
        this.writer = writer;
        this.readSide = readSide;
        this.checkpointer = checkpointer;
        this.fileLock = fileLock;
        this.nextSeq = nextSeq;
        this.queue = new PendingQueue(cfg.queueCapacity(), cfg.commitMaxReadings(), cfg.commitInterval().toNanos());
        this.writerThread = new Thread(this::writerLoop, "buffer-writer");
        this.writerThread.setDaemon(true);
    }

    /**
     * Opens (or creates) the buffer at {@code cfg.path()}, checking its integrity first.
     *
     * @throws BufferException when the file cannot be opened at all (no permission, directory
     *                         missing and not creatable, used by another process, a newer schema
     *                         or a database that is not a Meterlink buffer)
     */
    public static SqliteBuffer open(BufferConfig cfg, ReadingEncoder encoder, Clock clock) {
        return open(cfg, encoder, clock, DiskGuard.fileSystemOf(cfg.path()), Duration.ofSeconds(1));
    }

    static SqliteBuffer open(BufferConfig cfg, ReadingEncoder encoder, Clock clock,
                             DiskGuard.FreeDiskProbe probe, Duration diskCheckInterval) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(clock, "clock");
        Path db = cfg.path().toAbsolutePath();
        try {
            Files.createDirectories(db.getParent());
        } catch (IOException e) {
            throw new BufferException("cannot create the buffer directory " + db.getParent() + ": " + e.getMessage(), e);
        }
        FileLock lock = lock(db);
        Connection w = null;
        Connection r = null;
        Connection k = null;
        try {
            SeqReservation reservation = SeqReservation.load(SeqReservation.sidecarOf(db));
            DatabaseFiles.Opened opened = DatabaseFiles.openChecked(db, clock);
            w = opened.connection();
            configureWriter(w, cfg.synchronousFull());
            if (Schema.isForeign(w)) {
                throw new BufferException(db + " is an SQLite database but not a Meterlink buffer; refusing to use it");
            }
            BufferState state = new BufferState();
            DiskGuard disk = new DiskGuard(probe, cfg.minFreeDiskPercent(), diskCheckInterval.toNanos(), System::nanoTime);
            initialise(w, cfg, clock, opened.quarantinedTo());
            BufferWriter writer = new BufferWriter(w, clock, state, cfg.maxBytes(), disk);
            Map<String, Object> meta = Schema.readMeta(w);
            long version = Schema.longOf(meta, Schema.META_SCHEMA_VERSION);
            if (version > Schema.VERSION) {
                throw new BufferException(db + " has buffer schema version " + version + ", newer than this gateway's " + Schema.VERSION);
            }
            load(state, meta);
            if (reservation.wasUnreadable()) {
                state.alarms.add("seq_sidecar_unreadable:" + SeqReservation.sidecarOf(db));
            }
            long next = Math.max(state.highestSeq, reservation.reservedUpTo()) + 1;
            r = DatabaseFiles.connect(db, false);
            ReadSide readSide = new ReadSide(r);
            k = DatabaseFiles.connect(db, false);
            Checkpointer checkpointer = new Checkpointer(k, cfg.synchronousFull());
            SqliteBuffer buffer = new SqliteBuffer(db, encoder, clock, cfg, state, reservation, writer, readSide, checkpointer, lock, next);
            checkpointer.start();
            buffer.writerThread.start();
            LOG.info("Buffer {} open: depth {}, {} bytes, next seq {}", db, state.depth, state.bytes, next);
            return buffer;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(k);
            closeQuietly(r);
            closeQuietly(w);
            release(lock);
            if (e instanceof BufferException be) {
                throw be;
            }
            throw new BufferException("cannot open buffer database " + db + ": " + e.getMessage(), e);
        }
    }

    private static void configureWriter(Connection w, boolean synchronousFull) throws SQLException {
        try (Statement s = w.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + DatabaseFiles.BUSY_TIMEOUT_MS);
            s.execute("PRAGMA page_size = 4096");
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                    throw new BufferException("cannot switch the buffer database to WAL mode");
                }
            }
            s.execute("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
            s.execute("PRAGMA cache_size = -8192");
            s.execute("PRAGMA temp_store = MEMORY");
            s.execute("PRAGMA journal_size_limit = " + (64L << 20));
            // checkpoints run on the Checkpointer's thread; this is only the safety net (40 MB of WAL)
            s.execute("PRAGMA wal_autocheckpoint = 10000");
        }
    }

    private static void initialise(Connection w, BufferConfig cfg, Clock clock, Path quarantinedTo) throws SQLException {
        try (Statement s = w.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean ok = false;
            try {
                Schema.create(w, clock.millis());
                s.executeUpdate("INSERT INTO meta(key, value) VALUES ('" + Schema.META_MAX_BYTES + "', " + cfg.maxBytes()
                        + ") ON CONFLICT(key) DO UPDATE SET value = excluded.value");
                if (quarantinedTo != null) {
                    try (var ps = w.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
                        ps.setString(1, Schema.META_ALARM_PREFIX + "database_quarantined:" + quarantinedTo);
                        ps.setLong(2, clock.millis());
                        ps.executeUpdate();
                    }
                }
                s.execute("COMMIT");
                ok = true;
            } finally {
                if (!ok) {
                    s.execute("ROLLBACK");
                }
            }
        }
    }

    private static void load(BufferState state, Map<String, Object> meta) {
        state.highestSeq = Schema.longOf(meta, Schema.META_SEQ_HWM);
        state.depth = Schema.longOf(meta, Schema.META_DEPTH);
        state.bytes = Schema.longOf(meta, Schema.META_BYTES);
        state.deadLetters = Schema.longOf(meta, Schema.META_DEAD_LETTERS);
        state.evictedBytesCap = Schema.longOf(meta, Schema.META_EVICTIONS_PREFIX + Schema.REASON_BYTES_CAP);
        state.evictedDiskFree = Schema.longOf(meta, Schema.META_EVICTIONS_PREFIX + Schema.REASON_DISK_FREE);
        state.alarms.addAll(alarmsOf(meta));
    }

    private static List<String> alarmsOf(Map<String, Object> meta) {
        List<String> alarms = new ArrayList<>();
        for (String key : meta.keySet()) {
            if (key.startsWith(Schema.META_ALARM_PREFIX)) {
                alarms.add(key.substring(Schema.META_ALARM_PREFIX.length()));
            }
        }
        return alarms;
    }

    private static FileLock lock(Path db) {
        Path lockFile = DatabaseFiles.sibling(db, ".lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new BufferException("buffer database " + db + " is in use by another process (" + lockFile + " is locked)");
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new BufferException("buffer database " + db + " is already open in this process", e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new BufferException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException e) {
            LOG.warn("releasing the buffer lock failed: {}", e.toString());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("close failed: {}", e.toString());
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>After {@link #close} the future fails with {@link BufferException}. An exception from the
     * encoder is thrown from here and uses no seq.
     */
    @Override
    public CompletableFuture<long[]> append(List<Reading> readings) throws InterruptedException {
        int n = readings.size();
        if (n == 0) {
            return CompletableFuture.completedFuture(new long[0]);
        }
        if (closing.get()) {
            return closedFailure();
        }
        byte[] priorities = new byte[n];
        for (int i = 0; i < n; i++) {
            priorities[i] = (byte) Priority.of(readings.get(i)).ordinal();
        }
        PendingQueue.Batch batch = queue.put(n, () -> {
            long first = nextSeq;
            reservation.ensure(first + n - 1);
            byte[][] bodies = new byte[n][];
            for (int i = 0; i < n; i++) {
                bodies[i] = encoder.encode(first + i, readings.get(i));
            }
            nextSeq = first + n;
            return new PendingQueue.Batch(first, priorities, bodies, System.nanoTime());
        });
        return batch == null ? closedFailure() : batch.future;
    }

    private static <T> CompletableFuture<T> closedFailure() {
        return CompletableFuture.failedFuture(new BufferException("buffer is closed"));
    }

    @Override
    public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) {
        return readSide.read(afterSeq, maxReadings, maxBytes);
    }

    @Override
    public long lowestSeq() {
        return readSide.lowestSeq();
    }

    @Override
    public long highestCommittedSeq() {
        return state.highestSeq;
    }

    @Override
    public void confirm(long[] seqs) {
        if (seqs.length > 0 && !queue.command(new PendingQueue.Confirm(seqs.clone()))) {
            LOG.warn("confirm of {} readings after close ignored; they will be sent again", seqs.length);
        }
    }

    @Override
    public void deadLetter(long[] seqs, String reason) {
        Objects.requireNonNull(reason, "reason");
        if (seqs.length > 0 && !queue.command(new PendingQueue.DeadLetter(seqs.clone(), reason))) {
            LOG.warn("dead-letter of {} readings after close ignored", seqs.length);
        }
    }

    /**
     * Commits everything queued so far (readings, confirms, dead letters) without waiting for the
     * group-commit interval; the future completes after that commit.
     */
    @Override
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!queue.command(new PendingQueue.Flush(done))) {
            return closed;
        }
        return done;
    }

    @Override
    public void onCommit(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public BufferStats stats() {
        long age = 0;
        if (state.depth > 0 && !closed.isDone()) {
            try {
                long oldest = readSide.oldestAcceptedAt();
                age = oldest > 0 ? Math.max(0, clock.millis() - oldest) : 0;
            } catch (BufferException e) {
                LOG.debug("oldest age unavailable: {}", e.getMessage());
            }
        }
        return new BufferStats(state.depth, state.bytes, maxBytes, age, state.highestSeq, state.accepted,
                state.confirmed, state.evictions(), state.deadLetters, state.alarmList());
    }

    /** Flushes the pending group commit (every future completes), checkpoints and closes. Idempotent; safe from a shutdown hook. */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            queue.close();
        }
        if (Thread.currentThread() != writerThread) {
            closed.join();
        }
    }

    private void writerLoop() {
        try {
            while (true) {
                PendingQueue.Work work = queue.take();
                if (work == null) {
                    break;
                }
                commit(work);
            }
        } catch (InterruptedException e) {
            LOG.error("buffer writer interrupted; pending readings are not stored");
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("buffer writer stopped", e);
            throw e;
        } finally {
            shutDown();
        }
    }

    private void commit(PendingQueue.Work work) {
        try {
            writer.apply(work);
        } catch (SQLException | RuntimeException e) {
            fail(work, e);
            return;
        }
        checkpointer.committed();
        if (state.writeFailure != null) {
            LOG.info("buffer writes succeed again");
            state.writeFailure = null;
            lastFailure = null;
        }
        for (PendingQueue.Slice s : work.slices()) {
            if (s.completesBatch()) {
                s.batch().future.complete(s.batch().seqs());
            }
        }
        for (PendingQueue.Command c : work.commands()) {
            if (c instanceof PendingQueue.Flush f) {
                f.done().complete(null);
            }
        }
        if (work.readings() > 0) {
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    LOG.warn("buffer commit listener failed", e);
                }
            }
        }
    }

    private void fail(PendingQueue.Work work, Exception e) {
        String msg = e.getMessage();
        if (!Objects.equals(msg, lastFailure)) {
            LOG.error("buffer transaction failed ({} readings, {} commands not stored): {}",
                    work.readings(), work.commands().size(), msg);
            lastFailure = msg;
        }
        state.writeFailure = msg;
        BufferException failure = new BufferException("buffer transaction failed: " + msg, e);
        for (PendingQueue.Slice s : work.slices()) {
            s.batch().future.completeExceptionally(failure);
        }
        for (PendingQueue.Command c : work.commands()) {
            if (c instanceof PendingQueue.Flush f) {
                f.done().completeExceptionally(failure);
            }
        }
    }

    private void shutDown() {
        try {
            checkpointer.close();
            writer.checkpoint();
            writer.close();
            readSide.close();
            try {
                queue.close();
                // the queue is closed, so no seq is handed out any more: nextSeq is final
                reservation.shrinkTo(nextSeq - 1);
            } catch (BufferException e) {
                LOG.warn("could not shrink the sequence reservation: {}", e.getMessage());
            }
            release(fileLock);
            LOG.info("Buffer {} closed", db);
        } finally {
            closed.complete(null);
        }
    }

    /**
     * Stats of a buffer file opened read-only, for {@code meterlink buffer stats} while the gateway
     * may be running: no writer, no integrity check or quarantine, no sidecar change. {@code accepted}
     * and {@code confirmed} are 0 (they count since a gateway's start).
     *
     * @throws BufferException when the file is missing, unreadable or not a Meterlink buffer
     */
    public static BufferStats inspect(Path dbFile) {
        if (!Files.isRegularFile(dbFile)) {
            throw new BufferException("no buffer database at " + dbFile);
        }
        try (Connection c = DatabaseFiles.connect(dbFile, true)) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")) {
                if (!rs.next() || rs.getLong(1) == 0) {
                    throw new BufferException(dbFile + " is not a Meterlink buffer database");
                }
            }
            Map<String, Object> meta = Schema.readMeta(c);
            long oldest = 0;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT accepted_at FROM readings ORDER BY seq LIMIT 1")) {
                if (rs.next()) {
                    oldest = rs.getLong(1);
                }
            }
            long age = oldest > 0 ? Math.max(0, System.currentTimeMillis() - oldest) : 0;
            return new BufferStats(
                    Schema.longOf(meta, Schema.META_DEPTH),
                    Schema.longOf(meta, Schema.META_BYTES),
                    Schema.longOf(meta, Schema.META_MAX_BYTES),
                    age,
                    Schema.longOf(meta, Schema.META_SEQ_HWM),
                    0, 0,
                    Map.of(Schema.REASON_BYTES_CAP, Schema.longOf(meta, Schema.META_EVICTIONS_PREFIX + Schema.REASON_BYTES_CAP),
                            Schema.REASON_DISK_FREE, Schema.longOf(meta, Schema.META_EVICTIONS_PREFIX + Schema.REASON_DISK_FREE)),
                    Schema.longOf(meta, Schema.META_DEAD_LETTERS),
                    List.copyOf(alarmsOf(meta)));
        } catch (SQLException e) {
            throw new BufferException("cannot read buffer database " + dbFile + ": " + e.getMessage(), e);
        }
    }
}
