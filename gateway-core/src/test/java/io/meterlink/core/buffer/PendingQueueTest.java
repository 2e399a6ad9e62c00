package io.meterlink.core.buffer;

import io.meterlink.core.api.config.keys.BufferKeys;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingQueueTest {

    private static PendingQueue.Batch batch(long first, int n) {
        return new PendingQueue.Batch(first, new byte[n], new byte[n][], System.nanoTime());
    }

    private static void put(PendingQueue q, long first, int n) throws InterruptedException {
        q.put(n, () -> batch(first, n));
    }

    @Test
    void transactionTakesCommitMax_orEverythingWaitingUpToEightTimesThatWhenBackedUp() throws Exception {
        PendingQueue q = new PendingQueue(10_000, 10, TimeUnit.SECONDS.toNanos(60));
        put(q, 1, 10);
        assertEquals(10, q.take().readings(), "exactly commitMax waiting: one commitMax transaction");

        for (int i = 0; i < 3; i++) put(q, 11 + 10L * i, 10);
        PendingQueue.Work w = q.take();
        assertEquals(30, w.readings(), "backed up: everything waiting in one transaction");
        assertEquals(3, w.slices().size());
        assertEquals(11, w.slices().get(0).batch().firstSeq);

        put(q, 41, 100);
        PendingQueue.Work capped = q.take();
        assertEquals(10 * PendingQueue.BACKED_UP_FACTOR, capped.readings(), "at most 8 x commitMax");
        assertEquals(80, capped.slices().get(0).to());
        PendingQueue.Work rest = q.take();
        assertEquals(20, rest.readings(), "the rest of the batch in the next transaction");
        assertEquals(80, rest.slices().get(0).from());
        assertEquals(true, rest.slices().get(0).completesBatch());
    }

    @Test
    void theBackedUpTransactionBound_isInTheDeclaredDocOfBothKeys() {
        int f = PendingQueue.BACKED_UP_FACTOR;
        String queue = BufferKeys.QUEUE_CAPACITY.doc();
        assertTrue(queue.contains("up to " + f + " × `commit_max_readings`"), queue);
        String commit = BufferKeys.COMMIT_MAX_READINGS.doc();
        assertTrue(commit.contains("up to " + f + " times as many"), commit);
    }
}
