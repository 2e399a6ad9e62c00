package io.meterlink.sim.scenario;

import io.meterlink.core.api.Priority;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Checks from outside that the buffer evicts what its documented policy names: lowest priority
 * first, oldest (lowest seq) first within a priority (README {@code buffer.max_bytes}, {@link Priority},
 * {@code SqliteBuffer}). It looks at snapshots of the buffer's rows ({@code seq, priority})
 * taken while the gateway runs; at the end, given the readings that were evicted (accepted, never
 * delivered), it counts those the policy did not name, by two tests that never blame a correct buffer:
 * <ol>
 *   <li>between two snapshots, an undelivered row left while a row sorting before it by
 *       {@code (priority, seq)} stayed in both;</li>
 *   <li>a snapshot taken after an evicted reading was committed and gone still holds an older row
 *       ({@code seq} lower, so it was in the buffer when the reading went) of no higher priority.
 *       For a reading never seen in a snapshot the lowest priority the meters generate is assumed.</li>
 * </ol>
 * Readings confirmed by the broker also leave the buffer; they are told apart by being delivered.
 * Not thread-safe (the scenario's orchestration thread).
 */
final class EvictionAudit {
    private static final int LEVELS = Priority.values().length;
    /** Above this depth a snapshot is skipped: the audit is meant for a small {@code buffer_max_bytes}. */
    static final int MAX_ROWS = 200_000;

    private long[] previousSeqs;
    private byte[] previousPriorities;
    /** Undelivered rows that left the buffer: seq → {priority, index of the first snapshot without it}. */
    private final Map<Long, int[]> gone = new HashMap<>();
    /** Rows that left while a row sorting before them stayed (test 1). */
    private final Set<Long> overtaken = new HashSet<>();
    /** Per snapshot: highest seq, then the lowest seq held of each priority (Long.MAX_VALUE: none). */
    private final List<long[]> summaries = new ArrayList<>();

    /**
     * One snapshot: the buffer's rows in ascending seq.
     *
     * @param delivered whether a seq has arrived at the head-end by now (a confirmed row left for that reason)
     */
    void snapshot(long[] seqs, byte[] priorities, LongPredicate delivered) {
        if (previousSeqs != null) {
            int index = summaries.size();
            boolean[] kept = new boolean[previousSeqs.length];
            int j = 0;
            int minKept = -1;
            for (int i = 0; i < previousSeqs.length; i++) {
                while (j < seqs.length && seqs[j] < previousSeqs[i]) j++;
                kept[i] = j < seqs.length && seqs[j] == previousSeqs[i];
                if (kept[i] && (minKept < 0 || previousPriorities[i] < previousPriorities[minKept])) minKept = i;
            }
            for (int i = 0; i < previousSeqs.length; i++) {
                long seq = previousSeqs[i];
                if (kept[i] || delivered.test(seq)) continue;
                gone.put(seq, new int[] {previousPriorities[i], index});
                // rows are in seq order, so the first kept row of the lowest priority sorts first
                if (minKept >= 0 && (previousPriorities[minKept] < previousPriorities[i]
                        || previousPriorities[minKept] == previousPriorities[i] && previousSeqs[minKept] < seq)) {
                    overtaken.add(seq);
                }
            }
        }
        if (seqs.length > 0) {
            long[] s = new long[1 + LEVELS];
            Arrays.fill(s, Long.MAX_VALUE);
            s[0] = seqs[seqs.length - 1];
            for (int i = seqs.length - 1; i >= 0; i--) s[1 + priorities[i]] = seqs[i];
            summaries.add(s);
        } else {
            summaries.add(new long[] {Long.MIN_VALUE});
        }
        previousSeqs = seqs.clone();
        previousPriorities = priorities.clone();
    }

    /** Snapshots taken so far. */
    int snapshots() {
        return summaries.size();
    }

    /**
     * The evicted readings the policy did not name.
     *
     * @param evicted         seqs accepted and never delivered
     * @param lowestGenerated the lowest priority of any reading the meters generate (for readings never seen)
     */
    List<Long> violations(Set<Long> evicted, Priority lowestGenerated) {
        List<Long> out = new ArrayList<>();
        for (long e : evicted.stream().sorted().toList()) {
            if (overtaken.contains(e)) {
                out.add(e);
                continue;
            }
            int[] seen = gone.get(e);
            int priority = seen == null ? lowestGenerated.ordinal() : seen[0];
            int from = seen == null ? 0 : seen[1];
            for (int k = from; k < summaries.size(); k++) {
                long[] s = summaries.get(k);
                if (s[0] <= e) continue; // not yet committed when this snapshot was taken
                boolean older = false;
                for (int p = 0; p <= priority; p++) older |= s[1 + p] < e;
                if (older) {
                    out.add(e);
                    break;
                }
            }
        }
        return out;
    }
}
