package io.meterlink.core.buffer;

import io.meterlink.core.api.Reading;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buffer opened on its own thread while the uplink connects (Gateway.start). */
class OpeningBufferTest {

    /** Records what reaches it; every other call answers a fixed value. */
    private static class Recorded implements Buffer {
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Runnable> commitListeners = new ArrayList<>();
        final List<java.util.function.Consumer<BufferException>> fatalListeners = new ArrayList<>();
        @Override public CompletableFuture<long[]> append(List<Reading> readings) { calls.add("append"); return CompletableFuture.completedFuture(new long[0]); }
        @Override public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) { calls.add("read " + afterSeq); return List.of(); }
        @Override public long lowestSeq() { return 41; }
        @Override public long highestCommittedSeq() { return 42; }
        @Override public long highestSeqAtOpen() { return 40; }
        @Override public void confirm(long[] seqs) { calls.add("confirm"); }
        @Override public void deadLetter(long[] seqs, String reason) { calls.add("deadLetter " + reason); }
        @Override public void onCommit(Runnable listener) { commitListeners.add(listener); }
        @Override public void onFatal(java.util.function.Consumer<BufferException> listener) { fatalListeners.add(listener); }
        @Override public BufferStats stats() { calls.add("stats"); return null; }
        @Override public boolean storageFaultActive() { return true; }
        @Override public void close() { calls.add("close"); }
    }

    @Test
    void callsWaitForTheOpen_listenersRegisteredBeforeItArePassedOn() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorded inner = new Recorded();
        OpeningBuffer b = OpeningBuffer.start(() -> {
            gate.await();
            return inner;
        });
        Runnable onCommit = () -> { };
        b.onCommit(onCommit);
        b.onFatal(e -> { });
        assertFalse(b.storageFaultActive(), "nothing to retry while opening");
        CompletableFuture<Long> highest = CompletableFuture.supplyAsync(b::highestCommittedSeq);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> highest.get(200, TimeUnit.MILLISECONDS));
        assertTrue(inner.commitListeners.isEmpty());

        gate.countDown();
        assertEquals(42L, highest.get(10, TimeUnit.SECONDS));
        assertSame(inner, b.opened());
        assertEquals(List.of(onCommit), inner.commitListeners);
        assertEquals(1, inner.fatalListeners.size());
        b.onCommit(onCommit); // after the open: at once
        assertEquals(2, inner.commitListeners.size());
        assertEquals(41L, b.lowestSeq());
        b.read(7, 10, 100);
        b.confirm(new long[] {1});
        b.deadLetter(new long[] {2}, "too_big");
        assertTrue(b.storageFaultActive());
        b.close();
        assertEquals(List.of("read 7", "confirm", "deadLetter too_big", "close"), inner.calls);
    }

    @Test
    void listenersRegisteredWhileOpening_areOnTheBufferBeforeAWaiterSeesItOpen() throws Exception {
        for (int round = 0; round < 5; round++) {
            CountDownLatch gate = new CountDownLatch(1);
            Recorded inner = new Recorded() {
                @Override public void onCommit(Runnable listener) {
                    try {
                        Thread.sleep(50); // a slow registration: a waiter released before it ends sees none
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.onCommit(listener);
                }
            };
            OpeningBuffer b = OpeningBuffer.start(() -> {
                gate.await();
                return inner;
            });
            b.onCommit(() -> { });
            CompletableFuture<Integer> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    b.opened();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
                return inner.commitListeners.size(); // at once after the open returned
            });
            gate.countDown();
            assertEquals(1, seen.get(10, TimeUnit.SECONDS), "round " + round);
        }
    }

    @Test
    void aFailedOpen_isThrownAsItWasByOpened_andAsABufferExceptionByEveryCall() {
        OpeningBuffer b = OpeningBuffer.start(() -> {
            throw new IOException("disk on fire");
        });
        IOException thrown = assertThrows(IOException.class, b::opened);
        assertEquals("disk on fire", thrown.getMessage());
        BufferException e = assertThrows(BufferException.class, b::lowestSeq);
        assertTrue(e.getMessage().contains("disk on fire"), e::getMessage);
        assertSame(thrown, e.getCause());
        assertThrows(BufferException.class, () -> b.append(List.of()));
        assertThrows(BufferException.class, b::stats);
        assertFalse(b.storageFaultActive());
        b.onCommit(() -> { }); // dropped, no exception
        b.close(); // nothing to close
    }

    @Test
    void aListenerThatFailsToRegister_doesNotKeepTheBufferFromOpening() throws Exception {
        Recorded inner = new Recorded() {
            @Override public void onFatal(java.util.function.Consumer<BufferException> listener) {
                throw new IllegalStateException("a fatal buffer calls at once, and this listener throws");
            }
        };
        CountDownLatch gate = new CountDownLatch(1);
        OpeningBuffer b = OpeningBuffer.start(() -> {
            gate.await();
            return inner;
        });
        b.onFatal(e -> { });
        b.onCommit(() -> { });
        gate.countDown();
        assertSame(inner, CompletableFuture.supplyAsync(() -> {
            try {
                return b.opened();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }).get(10, TimeUnit.SECONDS));
        assertEquals(1, inner.commitListeners.size());
        assertThrows(NullPointerException.class, () -> b.onCommit(null));
    }

    @Test
    void aBufferExceptionFromTheOpen_isPassedOnUnwrapped() {
        BufferException cause = new BufferException("not a buffer");
        OpeningBuffer b = OpeningBuffer.start(() -> {
            throw cause;
        });
        assertSame(cause, assertThrows(BufferException.class, b::highestCommittedSeq));
    }
}
