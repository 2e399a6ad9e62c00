package io.meterlink.core.buffer;

import io.meterlink.core.api.Priority;
import io.meterlink.core.api.Reading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.api.alarm.Alarm;
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
 * <p><b>Bounds.</b> Each reading counts {@code body.length + }{@value Schema#ROW_OVERHEAD_BYTES} bytes
 * against {@code maxBytes}; while the file system has less than {@code minFreeDiskPercent} free
 * (checked at most once a second) the buffer does not grow. Over a bound the writer evicts the
 * lowest priority first, oldest first (billing last), counted per reason in {@code meta}.
 *
 * <p><b>Integrity.</b> At an open after an unclean close (no {@code <db>.clean} marker),
 * {@code PRAGMA quick_check}; a failing file is renamed (with its WAL/SHM) to
 * {@code <name>.corrupt-<UTC time>}, kept, and the alarm {@code database_quarantined:<renamed path>}
 * is recorded in the new database. A file without the SQLite header is refused, never renamed
 * ({@link NotABufferException}). Each reading carries a CRC-32C of seq and body, checked on read; a
 * mismatch is dead-lettered ({@code checksum_mismatch}), never sent.
 *
 * <p><b>Layout.</b> Readings are packed into {@link Segment}s of up to {@value Segment#MAX_ENTRIES}, one
 * row each, so a commit writes a few b-tree cells instead of a row and an index entry per reading
 * ({@link SegmentLayout}). A file with a row per reading (schema 2) keeps that layout ({@link RowLayout})
 * while {@link BufferConfig#keepLayout()} (an update on trial) or when there is no room to pack it.
 *
 * <p><b>Storage faults.</b> A transaction that fails with SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR
 * or SQLITE_CORRUPT is rolled back and retried, with the writer connection reopened before each
 * retry (backoff {@value #RETRY_MIN_MS} ms doubling to {@value #RETRY_MAX_MS} ms); meanwhile its
 * readings stay in memory and the bounded queue fills, so {@link #append} blocks (drivers slow
 * down). The alarm ({@code storage_full}, …) is raised at the first failure, kept in the sidecar
 * {@code <db>.alarms}, and cleared by the next commit. When {@link StorageFaults} finds the fault
 * beyond recovery the buffer stops (every waiting future fails) and tells {@link #onFatal} listeners;
 * the process should exit so that systemd restarts it.
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
    static final long RETRY_MIN_MS = 50;
    static final long RETRY_MAX_MS = 2_000;

    private final boolean synchronousFull;
    private final StorageFaults faults;
    private volatile BufferWriter writer;
    private final ReadSide readSide;
    private final Checkpointer checkpointer;
    private final FileLock fileLock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<BufferException>> fatalListeners = new CopyOnWriteArrayList<>();
    /** Set when a storage fault is beyond recovery: nothing more is written, the close is not clean. */
    private volatile BufferException fatal;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread writerThread;
    /** Next seq to hand out; written under the queue lock (see {@link PendingQueue#put}), read at close. */
    private volatile long nextSeq;
    /** {@link #highestSeqAtOpen()}. */
    private final long highestAtOpen;
    private String lastFailure;

    private SqliteBuffer(Path db, ReadingEncoder encoder, Clock clock, BufferConfig cfg, BufferState state,
                         SeqReservation reservation, BufferWriter writer, ReadSide readSide, Checkpointer checkpointer, FileLock fileLock, long nextSeq) {
        this.db = db;
        this.synchronousFull = cfg.synchronousFull();
        this.faults = state.faults;
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
        this.highestAtOpen = state.highestSeq;
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
        return claim(cfg).open(encoder, clock);
    }

    /** How often the free disk is checked by default. */
    private static final Duration DISK_CHECK_INTERVAL = Duration.ofSeconds(1);

    static SqliteBuffer open(BufferConfig cfg, ReadingEncoder encoder, Clock clock,
                             DiskGuard.FreeDiskProbe probe, Duration diskCheckInterval) {
        return open(cfg, encoder, clock, probe, diskCheckInterval, StorageFaults.IO_GIVE_UP_MS);
    }

    static SqliteBuffer open(BufferConfig cfg, ReadingEncoder encoder, Clock clock,
                             DiskGuard.FreeDiskProbe probe, Duration diskCheckInterval, long ioGiveUpMs) {
        return claim(cfg).open(encoder, clock, probe, diskCheckInterval, ioGiveUpMs);
    }

    /**
     * The buffer file held for this process: its directory exists, it is an SQLite file or none, and
     * its lock is taken, so no second process gets further. What a gateway does on the calling thread
     * before it opens the buffer on another while its uplink connects: a second {@code meterlink run}
     * is refused before it can reach the broker and take over the running gateway's session.
     */
    public static final class Claim {
        private final BufferConfig cfg;
        private final Path db;
        private final FileLock lock;
        private boolean used;

        private Claim(BufferConfig cfg, Path db, FileLock lock) {
            this.cfg = cfg;
            this.db = db;
            this.lock = lock;
        }

        /** Opens the claimed buffer (once); its lock goes with it, or is released when the open fails. */
        public SqliteBuffer open(ReadingEncoder encoder, Clock clock) {
            return open(encoder, clock, DiskGuard.fileSystemOf(cfg.path()), DISK_CHECK_INTERVAL, StorageFaults.IO_GIVE_UP_MS);
        }

        synchronized SqliteBuffer open(ReadingEncoder encoder, Clock clock, DiskGuard.FreeDiskProbe probe,
                                       Duration diskCheckInterval, long ioGiveUpMs) {
            if (used) throw new IllegalStateException("a claim opens its buffer once");
            used = true;
            if (encoder == null || clock == null) {
                release(lock);
                throw new NullPointerException(encoder == null ? "encoder" : "clock");
            }
            return openClaimed(cfg, db, lock, encoder, clock, probe, diskCheckInterval, ioGiveUpMs);
        }
    }

    /**
     * Claims the buffer at {@code cfg.path()} for this process ({@link Claim}).
     *
     * @throws BufferException as {@link #open(BufferConfig, ReadingEncoder, Clock)} for a directory that
     *                         cannot be made, a file that is not SQLite, or a buffer used by another process
     */
    public static Claim claim(BufferConfig cfg) {
        Path db = cfg.path().toAbsolutePath();
        try {
            Files.createDirectories(db.getParent());
        } catch (IOException e) {
            throw new BufferException("cannot create the buffer directory " + db.getParent() + ": " + e.getMessage(), e);
        }
        if (Files.exists(db)) {
            DatabaseFiles.requireSqliteOrEmpty(db); // before any sidecar is created next to a key or a log
        }
        return new Claim(cfg, db, lock(db));
    }

    private static SqliteBuffer openClaimed(BufferConfig cfg, Path db, FileLock lock, ReadingEncoder encoder, Clock clock,
                                            DiskGuard.FreeDiskProbe probe, Duration diskCheckInterval, long ioGiveUpMs) {
        Connection w = null;
        ReadSide readSide = null;
        Connection k = null;
        try {
            SeqReservation reservation = SeqReservation.load(SeqReservation.sidecarOf(db));
            DatabaseFiles.Opened opened = DatabaseFiles.openChecked(db, clock);
            w = opened.connection();
            configureWriter(w, cfg.synchronousFull());
            if (Schema.isForeign(w)) {
                throw new NotABufferException(db + " is an SQLite database but not a Meterlink buffer; refusing to use it");
            }
            BufferState state = new BufferState();
            AlarmSidecar alarmSidecar = new AlarmSidecar(AlarmSidecar.of(db));
            state.faults = new StorageFaults(clock, alarmSidecar, ioGiveUpMs);
            alarmSidecar.allocate();
            DiskGuard disk = new DiskGuard(probe, cfg.minFreeDiskPercent(), diskCheckInterval.toNanos(), System::nanoTime);
            boolean packed = initialise(w, cfg, clock, opened.quarantinedTo(), state.faults, db);
            BufferWriter writer = new BufferWriter(w, clock, state, cfg.maxBytes(), disk, packed);
            Map<String, Object> meta = Schema.readMeta(w);
            long version = Schema.longOf(meta, Schema.META_SCHEMA_VERSION);
            if (version > Schema.VERSION) {
                throw new BufferException(db + " has buffer schema version " + version + ", newer than this gateway's " + Schema.VERSION);
            }
            load(state, meta);
            if (reservation.wasUnreadable()) {
                state.alarms.add(new Alarm(Alarm.Kind.SEQ_SIDECAR_UNREADABLE, SeqReservation.sidecarOf(db).toString()));
            }
            restrictExisting(db);
            long next = Math.max(state.highestSeq, reservation.reservedUpTo()) + 1;
            SqliteBuffer[] self = new SqliteBuffer[1];
            readSide = new ReadSide(() -> DatabaseFiles.connect(db, false),
                    seqs -> self[0].deadLetter(seqs, Schema.REASON_CHECKSUM_MISMATCH),
                    e -> self[0].readFailed(e), packed);
            k = DatabaseFiles.connect(db, false);
            Checkpointer checkpointer = new Checkpointer(k, cfg.synchronousFull());
            SqliteBuffer buffer = new SqliteBuffer(db, encoder, clock, cfg, state, reservation, writer, readSide, checkpointer, lock, next);
            self[0] = buffer;
            checkpointer.start();
            buffer.writerThread.start();
            LOG.info("Buffer {} open: depth {}, {} bytes, next seq {}", db, state.depth, state.bytes, next);
            return buffer;
        } catch (SQLException | RuntimeException | Error e) { // an Error (no native library, no memory) frees them too
            closeQuietly(k);
            closeQuietly(readSide);
            closeQuietly(w);
            release(lock);
            if (e instanceof Error err) throw err;
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
            io.meterlink.core.api.SqliteMemory.BUFFER_WRITER.apply(s);
            s.execute("PRAGMA temp_store = MEMORY");
            s.execute("PRAGMA journal_size_limit = " + (64L << 20));
            // checkpoints run on the Checkpointer's thread; this is only the safety net (40 MB of WAL)
            s.execute("PRAGMA wal_autocheckpoint = 10000");
        }
    }

    /** Sets 0600 on the database and its sidecars, whatever an older version or the umask left. */
    private static void restrictExisting(Path db) {
        for (String suffix : new String[] {"", "-wal", "-shm", ".seq", ".lock", ".alarms"}) {
            Path f = DatabaseFiles.sibling(db, suffix);
            try {
                if (Files.exists(f)) {
                    FilePermissions.restrict(f);
                }
            } catch (IOException e) {
                LOG.warn("cannot set mode 0600 on {}: {}", f, e.toString());
            }
        }
    }

    /**
     * Creates or migrates the schema and records the open's meta rows. A storage fault here (a full
     * or read-only file system at start) raises its alarm and the buffer opens anyway when the schema
     * is current, so readings are held (back-pressure) instead of the service restarting in a loop.
     * Returns whether the buffer is packed (schema 3) or keeps a row per reading (schema 2: a new or
     * schema 2 file while {@link BufferConfig#keepLayout()}).
     */
    private static boolean initialise(Connection w, BufferConfig cfg, Clock clock, Path quarantinedTo,
                                      StorageFaults faults, Path db) throws SQLException {
        long version = Schema.versionOf(w);
        boolean packed = Schema.packed(version, cfg.keepLayout());
        try {
            initialiseTransaction(w, cfg, clock, quarantinedTo, packed);
            faults.succeeded();
            return packed;
        } catch (SQLException e) {
            Alarm.Kind kind = StorageFault.classify(e, db);
            if (packed && version > 0 && version < Schema.VERSION && kind != null && kind != Alarm.Kind.STORAGE_CORRUPT) {
                // packing holds both layouts until it commits: without that room the rows stay, a later start packs them
                LOG.warn("Buffer {} cannot be packed now ({}): it keeps a row per reading; a later start packs it", db, e.getMessage());
                return initialise(w, cfg.keepingLayout(), clock, quarantinedTo, faults, db);
            }
            Map<String, Object> meta;
            try {
                meta = Schema.readMeta(w);
            } catch (SQLException re) {
                throw e;
            }
            if (kind == null || kind == Alarm.Kind.STORAGE_CORRUPT || quarantinedTo != null
                    || Schema.longOf(meta, Schema.META_SCHEMA_VERSION) != (packed ? Schema.VERSION : Schema.ROWS_VERSION)) {
                throw e;
            }
            LOG.error("Buffer {} cannot be written at start ({}): opening it anyway, writes are retried", db, e.getMessage());
            faults.failed(kind, false);
            return packed;
        }
    }

    private static void initialiseTransaction(Connection w, BufferConfig cfg, Clock clock, Path quarantinedTo,
                                              boolean packed) throws SQLException {
        try (Statement s = w.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean ok = false;
            try {
                Schema.create(w, clock.millis(), packed);
                long from = Schema.migrate(w, clock.millis(), packed);
                long now = packed ? Schema.VERSION : Schema.ROWS_VERSION;
                if (from > 0 && from < now) {
                    LOG.info("Buffer schema migrated from version {} to {}", from, now);
                } else if (!packed) {
                    LOG.info("Buffer keeps a row per reading (schema {}): not packed now", now);
                }
                s.executeUpdate("INSERT INTO meta(key, value) VALUES ('" + Schema.META_MAX_BYTES + "', " + cfg.maxBytes()
                        + ") ON CONFLICT(key) DO UPDATE SET value = excluded.value");
                if (quarantinedTo != null) {
                    try (var ps = w.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
                        ps.setString(1, Schema.META_ALARM_PREFIX + new Alarm(Alarm.Kind.DATABASE_QUARANTINED, quarantinedTo.toString()).text());
                        ps.setLong(2, clock.millis());
                        ps.executeUpdate();
                    }
                }
                s.execute("COMMIT");
                ok = true;
            } finally {
                if (!ok) {
                    try {
                        s.execute("ROLLBACK");
                    } catch (SQLException e) {
                        LOG.debug("rollback failed: {}", e.toString());
                    }
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
        state.deadLettersByReason.putAll(Schema.deadLettersByReason(meta));
        state.alarms.addAll(alarmsOf(meta));
    }

    private static List<Alarm> alarmsOf(Map<String, Object> meta) {
        List<Alarm> alarms = new ArrayList<>();
        for (String key : meta.keySet()) {
            if (key.startsWith(Schema.META_ALARM_PREFIX)) {
                Alarm a = Alarm.parse(key.substring(Schema.META_ALARM_PREFIX.length()));
                if (a != null) {
                    alarms.add(a);
                }
            }
        }
        return alarms;
    }

    private static FileLock lock(Path db) {
        Path lockFile = DatabaseFiles.sibling(db, ".lock");
        FileChannel ch = null;
        try {
            FilePermissions.createPrivate(lockFile);
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
    public long highestSeqAtOpen() {
        return highestAtOpen;
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

    /**
     * Copies stored readings in as they are (same seq, priority, accepted-at and body; a seq already
     * present is skipped) and commits; returns how many were new. For {@link BufferSalvage}.
     */
    int importStored(List<StoredReading> rows) {
        int[] imported = new int[1];
        if (!queue.command(new PendingQueue.Import(List.copyOf(rows), imported))) {
            throw new BufferException("buffer is closed");
        }
        flush().join();
        return imported[0];
    }

    @Override
    public void onCommit(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void onFatal(java.util.function.Consumer<BufferException> listener) {
        fatalListeners.add(Objects.requireNonNull(listener, "listener"));
        BufferException f = fatal;
        if (f != null) {
            listener.accept(f);
        }
    }

    /** A read failed: corruption counts towards giving up like a corrupt write. */
    private void readFailed(SQLException e) {
        Alarm.Kind kind = StorageFault.classify(e, db);
        if (kind == Alarm.Kind.STORAGE_CORRUPT) {
            String why = faults.readCorrupt();
            if (why != null) {
                giveUp(why, e);
            }
        }
    }

    /** The fault is beyond recovery: stop writing, fail what waits, tell the listeners (once). */
    private synchronized void giveUp(String why, Exception cause) {
        if (fatal != null) {
            return;
        }
        BufferException f = new BufferException("buffer storage cannot recover: " + why, cause);
        fatal = f;
        LOG.error("Buffer {}: {}; stopping (the service should be restarted)", db, f.getMessage());
        for (var l : fatalListeners) {
            try {
                l.accept(f);
            } catch (RuntimeException e) {
                LOG.warn("fatal-fault listener failed", e);
            }
        }
    }

    @Override
    public boolean storageFaultActive() {
        StorageFaults f = state.faults;
        return f != null && f.alarm() != null;
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
                state.confirmed, state.evictions(), state.deadLetters, state.alarmList(), state.storage());
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
        if (!store(work)) {
            return;
        }
        faults.succeeded();
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

    /**
     * Runs the transaction; on a storage fault reopens the writer and retries, holding the work
     * (and so, through the bounded queue, the producers) until it commits, the fault is beyond
     * recovery or the buffer closes. False when the work was failed.
     */
    private boolean store(PendingQueue.Work work) {
        long backoff = RETRY_MIN_MS;
        boolean reopen = false;
        while (true) {
            BufferException f = fatal;
            if (f != null) {
                fail(work, f);
                return false;
            }
            try {
                if (reopen) {
                    reopenWriter();
                }
                writer.apply(work);
                return true;
            } catch (SQLException | RuntimeException e) {
                Alarm.Kind kind = StorageFault.classify(e, db);
                if (kind == null && !reopen) {
                    fail(work, e); // not a storage fault: retrying cannot help
                    return false;
                }
                if (kind == null) {
                    // a failed reopen or a statement of the failed connection: the fault persists
                    Alarm active = faults.alarm();
                    kind = active != null ? active.kind() : Alarm.Kind.STORAGE_IO;
                }
                String why = faults.failed(kind, !Files.exists(db));
                if (why != null) {
                    giveUp(why, e);
                    fail(work, fatal);
                    return false;
                }
                if (closing.get()) {
                    fail(work, e);
                    return false;
                }
                LOG.debug("buffer transaction failed ({}), retrying in {} ms: {}", kind.code(), backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    fail(work, e);
                    return false;
                }
                backoff = Math.min(backoff * 2, RETRY_MAX_MS);
                reopen = true;
            }
        }
    }

    /** Closes the writer connection (and with it every prepared statement) and opens a fresh one. */
    private void reopenWriter() throws SQLException {
        BufferWriter old = writer;
        old.close();
        if (!Files.exists(db)) {
            throw new SQLException("buffer database " + db + " is gone");
        }
        Connection c = DatabaseFiles.connect(db, false);
        try {
            configureWriter(c, synchronousFull);
            writer = old.reopened(c);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        faults.recovered();
    }

    private void fail(PendingQueue.Work work, Exception e) {
        String msg = e.getMessage();
        if (!Objects.equals(msg, lastFailure)) {
            LOG.error("buffer transaction failed ({} readings, {} commands not stored): {}",
                    work.readings(), work.commands().size(), msg);
            lastFailure = msg;
        }
        if (StorageFault.classify(e, db) == null && !(e instanceof BufferException)) {
            state.writeFailure = msg;
        }
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
            boolean checkpointed = writer.checkpoint();
            writer.close();
            readSide.close();
            if (checkpointed && fatal == null && faults.alarm() == null && !faults.corruptionSeen()) {
                DatabaseFiles.markClean(db);
            } else {
                LOG.warn("Buffer {} not closed cleanly (storage fault or failed checkpoint): the next open checks it", db);
            }
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
     * Converts the buffer file of {@code cfg} back to the row-per-reading layout of schema 2, which
     * a release older than packing reads, in one transaction; before a downgrade by hand
     * (docs/storage.md, "Migration"). A file at another schema, or none, is left alone. Takes the
     * buffer's lock: the gateway must not run.
     *
     * @return whether the file was converted
     * @throws BufferException when the file cannot be locked, opened or converted (it is then unchanged)
     */
    public static boolean convertForOlderRelease(BufferConfig cfg, Clock clock) {
        Path db = cfg.path().toAbsolutePath();
        if (!Files.isRegularFile(db)) {
            return false;
        }
        DatabaseFiles.requireSqliteOrEmpty(db);
        FileLock lock = lock(db);
        try (Connection c = DatabaseFiles.connect(db, false); Statement s = c.createStatement()) {
            configureWriter(c, true);
            if (Schema.isForeign(c)) {
                throw new NotABufferException(db + " is an SQLite database but not a Meterlink buffer; refusing to use it");
            }
            s.execute("BEGIN IMMEDIATE");
            boolean converted;
            try {
                converted = Schema.downgrade(c, clock.millis());
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                LOG.debug("checkpoint after the conversion: {}", rs.next() ? rs.getInt(1) : -1);
            }
            if (converted) {
                LOG.info("Buffer {} converted to schema 2 (a row per reading) for an older release", db);
            }
            return converted;
        } catch (SQLException e) {
            throw new BufferException("cannot convert buffer database " + db + ": " + e.getMessage(), e);
        } finally {
            release(lock);
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
            if (!Schema.hasTable(c, "meta")) {
                throw new BufferException(dbFile + " is not a Meterlink buffer database");
            }
            Map<String, Object> meta = Schema.readMeta(c);
            long oldest = 0;
            String table = Schema.isPacked(c) ? "segments" : "readings";
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT accepted_at FROM " + table + " ORDER BY seq LIMIT 1")) {
                if (rs.next()) {
                    oldest = rs.getLong(1);
                }
            }
            long age = oldest > 0 ? Math.max(0, System.currentTimeMillis() - oldest) : 0;
            List<Alarm> alarms = new ArrayList<>(alarmsOf(meta));
            AlarmSidecar.Persisted storage = new AlarmSidecar(AlarmSidecar.of(dbFile.toAbsolutePath())).read();
            if (storage != null) {
                alarms.add(Alarm.of(storage.kind()));
            }
            StorageStats storageStats = new StorageStats(Map.of(), 0, storage == null ? 0 : storage.raisedAtMs(), 0,
                    Map.copyOf(Schema.deadLettersByReason(meta)));
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
                    List.copyOf(alarms),
                    storageStats);
        } catch (SQLException e) {
            throw new BufferException("cannot read buffer database " + dbFile + ": " + e.getMessage(), e);
        }
    }
}
