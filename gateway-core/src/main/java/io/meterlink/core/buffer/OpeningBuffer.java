package io.meterlink.core.buffer;

import io.meterlink.core.api.Reading;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A buffer that is still being opened on its own thread, so that the uplink can build its TLS
 * context and connect meanwhile (docs/benchmarks.md, "Start-up to the first batch"). Every call
 * that reads or writes waits for the open; listeners registered before it ends are passed on when
 * it does. A failed open surfaces as a {@link BufferException} on every call and from {@link #opened()}.
 *
 * <p>Thread-safe.
 */
public final class OpeningBuffer implements Buffer {

    private final CompletableFuture<Buffer> opening = new CompletableFuture<>();
    /** Listeners registered while opening; handed to the buffer before anyone waiting sees it open. */
    private final java.util.List<Consumer<Buffer>> pending = new java.util.ArrayList<>();
    private Buffer opened; // guarded by pending

    private OpeningBuffer() {
    }

    /** Starts {@code open} on a new thread named {@code buffer-open}; returns at once. */
    public static OpeningBuffer start(Callable<Buffer> open) {
        OpeningBuffer b = new OpeningBuffer();
        Thread t = new Thread(() -> {
            Buffer opened;
            try {
                opened = open.call();
            } catch (Throwable e) { // handed to whoever waits for the buffer, never lost with the thread
                synchronized (b.pending) { // under the lock: no registration is queued after this
                    b.pending.clear();
                    b.opening.completeExceptionally(e);
                }
                return;
            }
            java.util.List<Consumer<Buffer>> registrations;
            synchronized (b.pending) {
                registrations = new java.util.ArrayList<>(b.pending);
                b.pending.clear();
                b.opened = opened; // from now on a registration is made at once, by its caller
            }
            try { // the listeners first: a commit right after the open must find them
                for (Consumer<Buffer> r : registrations) {
                    try {
                        r.accept(opened);
                    } catch (RuntimeException e) { // one listener's fault must not keep the buffer from opening
                        org.slf4j.LoggerFactory.getLogger(OpeningBuffer.class).error("A buffer listener failed to register", e);
                    }
                }
            } finally {
                b.opening.complete(opened);
            }
        }, "buffer-open");
        t.setDaemon(true);
        t.start();
        return b;
    }

    /**
     * Waits for the open and returns the buffer.
     *
     * @throws Exception what the open threw, as it threw it
     */
    public Buffer opened() throws Exception {
        try {
            return opening.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception x) throw x;
            if (cause instanceof Error err) throw err;
            throw e;
        }
    }

    private Buffer ready() {
        try {
            return opening.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BufferException b) throw b;
            throw new BufferException("the buffer did not open: " + cause.getMessage(), cause);
        }
    }

    @Override public CompletableFuture<long[]> append(List<Reading> readings) throws InterruptedException {
        return ready().append(readings);
    }

    @Override public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) {
        return ready().read(afterSeq, maxReadings, maxBytes);
    }

    @Override public long lowestSeq() { return ready().lowestSeq(); }

    @Override public long highestCommittedSeq() { return ready().highestCommittedSeq(); }

    @Override public long highestSeqAtOpen() { return ready().highestSeqAtOpen(); }

    @Override public void confirm(long[] seqs) { ready().confirm(seqs); }

    @Override public void deadLetter(long[] seqs, String reason) { ready().deadLetter(seqs, reason); }

    /** Passed on before anyone waiting sees the buffer open (at once when it already is); dropped when the open failed. */
    @Override public void onCommit(Runnable listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        whenOpen(b -> b.onCommit(listener));
    }

    /** Passed on before anyone waiting sees the buffer open (at once when it already is); dropped when the open failed. */
    @Override public void onFatal(Consumer<BufferException> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        whenOpen(b -> b.onFatal(listener));
    }

    private void whenOpen(Consumer<Buffer> registration) {
        Buffer b;
        synchronized (pending) {
            if (opening.isCompletedExceptionally()) return;
            if (opened == null) {
                pending.add(registration);
                return;
            }
            b = opened;
        }
        registration.accept(b);
    }

    @Override public BufferStats stats() { return ready().stats(); }

    /** Nothing to flush when the open failed (a closing gateway flushes first). */
    @Override public CompletableFuture<Void> flush() {
        if (opening.isCompletedExceptionally()) return CompletableFuture.completedFuture(null);
        return ready().flush();
    }

    /** False while the buffer is still opening (nothing can be retried yet). */
    @Override public boolean storageFaultActive() {
        return opening.isDone() && !opening.isCompletedExceptionally() && opening.join().storageFaultActive();
    }

    /** Waits for the open to end, then closes what it opened; nothing to close when it failed. */
    @Override public void close() {
        Buffer b;
        try {
            b = opening.join();
        } catch (CompletionException e) {
            return;
        }
        b.close();
    }
}
