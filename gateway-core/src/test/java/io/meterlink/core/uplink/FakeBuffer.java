package io.meterlink.core.uplink;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.StoredReading;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-memory Buffer for unit tests of the uplink: commits immediately, confirm/deadLetter synchronous.
 * Its collections are concurrent: the test thread reads them while the uplink thread confirms.
 */
final class FakeBuffer implements Buffer {
    final NavigableMap<Long, StoredReading> stored = new ConcurrentSkipListMap<>();
    final Map<Long, String> deadLetters = new ConcurrentSkipListMap<>();
    final List<Long> confirmed = new CopyOnWriteArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ReadingEncoder encoder;
    private long seq;

    FakeBuffer(ReadingEncoder encoder) { this.encoder = encoder; }

    /** Stores a raw body of the given size, as JSON-ish bytes. */
    synchronized long[] appendBodies(int n, int bodySize) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long s = ++seq;
            byte[] b = new byte[bodySize];
            java.util.Arrays.fill(b, (byte) '1');
            stored.put(s, new StoredReading(s, System.currentTimeMillis(), 0, b));
            out[i] = s;
        }
        listeners.forEach(Runnable::run);
        return out;
    }

    @Override
    public synchronized CompletableFuture<long[]> append(List<Reading> readings) {
        long[] out = new long[readings.size()];
        for (int i = 0; i < readings.size(); i++) {
            long s = ++seq;
            stored.put(s, new StoredReading(s, System.currentTimeMillis(), 0, encoder.encode(s, readings.get(i))));
            out[i] = s;
        }
        listeners.forEach(Runnable::run);
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) {
        List<StoredReading> out = new ArrayList<>();
        long bytes = 0;
        for (StoredReading r : stored.tailMap(afterSeq, false).values()) {
            if (out.size() >= maxReadings) break;
            if (!out.isEmpty() && bytes + r.body().length > maxBytes) break;
            out.add(r);
            bytes += r.body().length;
        }
        return out;
    }

    @Override public synchronized long lowestSeq() { return stored.isEmpty() ? 0 : stored.firstKey(); }
    @Override public synchronized long highestCommittedSeq() { return seq; }
    private long atOpen = -1;

    /** As if opened just before the uplink first asked: the seq at the first call. */
    @Override public synchronized long highestSeqAtOpen() {
        if (atOpen < 0) atOpen = seq;
        return atOpen;
    }

    @Override
    public synchronized void confirm(long[] seqs) {
        for (long s : seqs) {
            if (stored.remove(s) != null) confirmed.add(s);
        }
    }

    @Override
    public synchronized void deadLetter(long[] seqs, String reason) {
        for (long s : seqs) {
            stored.remove(s);
            deadLetters.put(s, reason);
        }
    }

    @Override public void onCommit(Runnable listener) { listeners.add(listener); }

    @Override
    public synchronized BufferStats stats() {
        return new BufferStats(stored.size(), 0, 0, 0, seq, seq, confirmed.size(), Map.of(), deadLetters.size(), List.of());
    }

    @Override public void close() { }
}
