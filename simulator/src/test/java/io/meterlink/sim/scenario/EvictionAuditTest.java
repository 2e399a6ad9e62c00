package io.meterlink.sim.scenario;

import io.meterlink.core.api.Priority;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvictionAuditTest {
    private static final int NORMAL = Priority.NORMAL.ordinal();
    private static final int BILLING = Priority.BILLING.ordinal();

    /** A model buffer of at most {@code cap} rows during an outage; {@code order} says which row goes first when it is full. */
    private static final class ModelBuffer {
        final List<long[]> rows = new ArrayList<>(); // {seq, priority}
        final Set<Long> evicted = new HashSet<>();
        final Set<Long> confirmed = new HashSet<>();
        final EvictionAudit audit = new EvictionAudit();
        final int cap;
        final Comparator<long[]> order;
        long nextSeq = 1;

        ModelBuffer(int cap, Comparator<long[]> order) {
            this.cap = cap;
            this.order = order;
        }

        /** One committed batch: a volume (billing) and two flow/temperature (normal) readings per meter. */
        void append(int meters) {
            for (int m = 0; m < meters; m++) {
                rows.add(new long[] {nextSeq++, BILLING});
                rows.add(new long[] {nextSeq++, NORMAL});
                rows.add(new long[] {nextSeq++, NORMAL});
            }
            while (rows.size() > cap) {
                long[] victim = rows.stream().min(order).orElseThrow();
                rows.remove(victim);
                evicted.add(victim[0]);
            }
        }

        /** The broker is back: the oldest {@code n} rows are confirmed. */
        void confirmOldest(int n) {
            for (int i = 0; i < n && !rows.isEmpty(); i++) confirmed.add(rows.remove(0)[0]);
        }

        void snapshot() {
            long[] seqs = rows.stream().mapToLong(r -> r[0]).toArray();
            byte[] prios = new byte[rows.size()];
            for (int i = 0; i < prios.length; i++) prios[i] = (byte) rows.get(i)[1];
            audit.snapshot(seqs, prios, confirmed::contains);
        }

        /** Several batches between snapshots, as a once-a-second sample sees them, then the drain. */
        List<Long> run(int rounds) {
            for (int r = 0; r < rounds; r++) {
                append(5);
                if (r % 3 == 2) snapshot();
            }
            confirmOldest(10);
            snapshot();
            return audit.violations(evicted, Priority.NORMAL);
        }
    }

    private static final Comparator<long[]> DOCUMENTED = Comparator.<long[]>comparingLong(r -> r[1]).thenComparingLong(r -> r[0]);

    @Test
    void documentedPolicy_lowestPriorityThenOldest_hasNoViolation() {
        ModelBuffer b = new ModelBuffer(60, DOCUMENTED);
        assertEquals(List.of(), b.run(60));
        assertTrue(b.evicted.size() > 500, "the model evicted: " + b.evicted.size());
        assertTrue(b.evicted.stream().anyMatch(s -> s % 3 == 1), "billing readings were evicted too once only billing was left");
    }

    @Test
    void oldestFirstIgnoringPriority_isFound() {
        ModelBuffer b = new ModelBuffer(60, Comparator.comparingLong(r -> r[0]));
        assertTrue(b.run(60).size() > 10, "billing readings evicted while newer normal ones stayed");
    }

    @Test
    void newestFirstWithinAPriority_isFound() {
        ModelBuffer b = new ModelBuffer(60, Comparator.<long[]>comparingLong(r -> r[1]).thenComparingLong(r -> -r[0]));
        assertTrue(b.run(60).size() > 10);
    }

    @Test
    void randomVictims_areFound() {
        Random random = new Random(3);
        ModelBuffer b = new ModelBuffer(60, Comparator.comparingInt(r -> random.nextInt()));
        assertTrue(b.run(60).size() > 10);
    }

    @Test
    void confirmedRows_areNotEvictions() {
        EvictionAudit audit = new EvictionAudit();
        audit.snapshot(new long[] {1, 2, 3}, new byte[] {(byte) BILLING, (byte) NORMAL, (byte) NORMAL}, s -> false);
        // the newest normal row was confirmed (a live reading delivered first) while older rows stayed
        audit.snapshot(new long[] {1, 2}, new byte[] {(byte) BILLING, (byte) NORMAL}, s -> s == 3);
        assertEquals(List.of(), audit.violations(Set.of(), Priority.NORMAL));

        // had it not been delivered, leaving before the older normal row 2 breaks the policy
        EvictionAudit undelivered = new EvictionAudit();
        undelivered.snapshot(new long[] {1, 2, 3}, new byte[] {(byte) BILLING, (byte) NORMAL, (byte) NORMAL}, s -> false);
        undelivered.snapshot(new long[] {1, 2}, new byte[] {(byte) BILLING, (byte) NORMAL}, s -> false);
        assertEquals(List.of(3L), undelivered.violations(Set.of(3L), Priority.NORMAL));
    }

    @Test
    void readingNeverSeen_evictedWhileAnOlderOfTheLowestPriorityStayed_isFound() {
        EvictionAudit audit = new EvictionAudit();
        audit.snapshot(new long[] {1, 2}, new byte[] {(byte) NORMAL, (byte) BILLING}, s -> false);
        // seq 3 was committed and gone between two snapshots while the older normal row 1 stayed
        audit.snapshot(new long[] {1, 2, 4}, new byte[] {(byte) NORMAL, (byte) BILLING, (byte) NORMAL}, s -> false);
        assertEquals(List.of(3L), audit.violations(Set.of(3L), Priority.NORMAL));
        // but evicting seq 3 while only older billing rows stayed is what the policy says
        EvictionAudit ok = new EvictionAudit();
        ok.snapshot(new long[] {1, 2, 4}, new byte[] {(byte) BILLING, (byte) BILLING, (byte) NORMAL}, s -> false);
        assertEquals(List.of(), ok.violations(Set.of(3L), Priority.NORMAL));
    }
}
