package io.meterlink.core.buffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The readings and commands waiting for the writer thread, and the group-commit timing: the writer
 * takes a transaction's worth when {@code commitMax} readings are waiting, when the oldest waiting
 * item is {@code interval} old, on a flush, or at close; a transaction holds {@code commitMax}
 * readings, or up to {@value #BACKED_UP_FACTOR} times that when more are already waiting. Producers
 * block while {@code capacity} readings are waiting. Thread-safe.
 */
final class PendingQueue {

    /** One {@code append} call: contiguous seqs, their priorities and encoded bodies. */
    static final class Batch {
        final long firstSeq;
        final byte[] priorities;
        final byte[][] bodies;
        final CompletableFuture<long[]> future = new CompletableFuture<>();
        final long arrivalNanos;
        int taken;

        Batch(long firstSeq, byte[] priorities, byte[][] bodies, long arrivalNanos) {
            this.firstSeq = firstSeq;
            this.priorities = priorities;
            this.bodies = bodies;
            this.arrivalNanos = arrivalNanos;
        }

        int size() {
            return bodies.length;
        }

        long[] seqs() {
            long[] s = new long[bodies.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = firstSeq + i;
            }
            return s;
        }
    }

    /** Rows {@code [from, to)} of a batch that go into one transaction. */
    record Slice(Batch batch, int from, int to) {
        boolean completesBatch() {
            return to == batch.size();
        }
    }

    /** Work for the writer other than inserts. */
    sealed interface Command permits Confirm, DeadLetter, Flush, Import {
    }

    /** Stored readings copied in as they are (salvage); {@code imported[0]} receives how many were new. */
    record Import(List<StoredReading> rows, int[] imported) implements Command {
    }

    record Confirm(long[] seqs) implements Command {
    }

    record DeadLetter(long[] seqs, String reason) implements Command {
    }

    record Flush(CompletableFuture<Void> done) implements Command {
    }

    /** What the writer takes for one transaction. */
    record Work(List<Slice> slices, List<Command> commands, int readings) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final ArrayDeque<Command> commands = new ArrayDeque<>();
    private final int capacity;
    private final int commitMax;
    private final long intervalNanos;
    private int waitingReadings;
    private long oldestArrival;
    private boolean urgent;
    private boolean closed;

    PendingQueue(int capacity, int commitMax, long intervalNanos) {
        this.capacity = capacity;
        this.commitMax = commitMax;
        this.intervalNanos = intervalNanos;
    }

    /**
     * Waits for room for {@code count} readings (a call larger than the capacity waits for an empty
     * queue), then builds the batch under the lock (so seqs are queued in order) and queues it.
     * Returns null when the queue is closed.
     */
    Batch put(int count, Supplier<Batch> stamp) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && waitingReadings > 0 && waitingReadings + count > capacity) {
                notFull.await();
            }
            if (closed) {
                return null;
            }
            Batch b = stamp.get();
            boolean wasEmpty = waitingReadings == 0 && commands.isEmpty();
            if (wasEmpty) {
                oldestArrival = b.arrivalNanos;
            }
            batches.addLast(b);
            int before = waitingReadings;
            waitingReadings += count;
            if (wasEmpty || (before < commitMax && waitingReadings >= commitMax)) {
                notEmpty.signal();
            }
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a command; false when closed. */
    boolean command(Command c) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (waitingReadings == 0 && commands.isEmpty()) {
                oldestArrival = System.nanoTime();
            }
            commands.addLast(c);
            if (c instanceof Flush) {
                urgent = true;
            }
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** No more puts or commands; what is queued is still taken. Wakes blocked producers and the writer. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Readings one transaction takes: {@code commitMax}, or, while more than that are already waiting
     * (producers outrun the commits), everything waiting up to {@value #BACKED_UP_FACTOR}&times;
     * {@code commitMax}, so one fsync covers more readings instead of the queue filling up.
     */
    private int takeMax() {
        return waitingReadings <= commitMax ? commitMax
                : (int) Math.min(waitingReadings, (long) commitMax * BACKED_UP_FACTOR);
    }

    /** How many times {@code commitMax} a transaction may take while the queue is backed up. */
    static final int BACKED_UP_FACTOR = 8;

    /** Blocks until a transaction's worth is due; null when closed and drained. */
    Work take() throws InterruptedException {
        lock.lock();
        try {
            while (waitingReadings == 0 && commands.isEmpty()) {
                if (closed) {
                    return null;
                }
                notEmpty.await();
            }
            long deadline = oldestArrival + intervalNanos;
            while (!closed && !urgent && waitingReadings < commitMax) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                notEmpty.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
            List<Slice> slices = new ArrayList<>();
            int n = 0;
            int take = takeMax();
            while (n < take && !batches.isEmpty()) {
                Batch b = batches.peekFirst();
                int to = Math.min(b.size(), b.taken + (take - n));
                slices.add(new Slice(b, b.taken, to));
                n += to - b.taken;
                b.taken = to;
                if (to == b.size()) {
                    batches.pollFirst();
                }
            }
            List<Command> cmds = new ArrayList<>(commands);
            commands.clear();
            urgent = false;
            waitingReadings -= n;
            if (!batches.isEmpty()) {
                oldestArrival = batches.peekFirst().arrivalNanos;
            }
            notFull.signalAll();
            return new Work(slices, cmds, n);
        } finally {
            lock.unlock();
        }
    }
}
