package io.meterlink.core.uplink;

import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.StoredReading;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which readings go into the next batch, and which batches are in flight, for one connection.
 *
 * <p>Policy (docs/payloads.md, "Live and backlog"): at each connect the readings are split at the
 * highest seq committed when the broker was last known unreachable ({@code liveAfter}: when the
 * previous connection was lost or the last connection attempt failed). Everything up to it is the
 * <em>backlog</em> (sent oldest first); everything committed later — during the reconnect and from
 * now on — is <em>live</em>, so readings made while the gateway was reconnecting do not queue
 * behind the whole backlog. When only one kind waits it may use the whole window. When both wait, a
 * free slot goes to live unless live already holds at least {@code ⌈window/2⌉} slots and backlog
 * holds fewer than the rest — so live batches get at least half the window and a backlog drain never
 * starves them, while the backlog keeps at least {@code ⌊window/2⌋} slots and finishes. Nothing is
 * preempted: live data waiting behind a full window of backlog batches takes the next slot that frees.
 *
 * <p>With a backlog rate ({@code uplink.backlog_max_rate} readings per second), backlog batches are
 * paced by a token bucket holding at most one second of readings (or one batch): after an outage the
 * gateway does not push its whole backlog into the broker at once, where a slower subscriber would
 * find the live readings queued behind it. Live batches are never paced.
 *
 * <p>Not thread-safe: the uplink thread only.
 */
final class Drain {

    enum Kind { LIVE, BACKLOG }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Drain.class);
    /** Dead-letter reason of a stored record that cannot be read back (docs/payloads.md, "Stored form"). */
    static final String UNREADABLE = "unreadable_record";
    /** Dead-letter reason of a reading that alone exceeds {@code uplink.batch_max_bytes} (docs/payloads.md, "Too big"). */
    static final String TOO_BIG = "too_big";

    /** A batch handed to the client, identified by {@code tag} until its acknowledgement. */
    record Batch(long tag, Kind kind, long[] seqs, byte[] payload, String contentType) {
    }

    private final Buffer buffer;
    private final PayloadFormat payloads;
    private final int maxReadings;
    private final int configuredMaxBytes;
    /** Most payload bytes per message on this connection: {@code batch_max_bytes}, or less when the broker takes less. */
    private int maxBytes;
    private final Clock clock;
    private final Map<Long, Batch> inflight = new LinkedHashMap<>();
    private long nextTag = 1;
    private int window = 1;
    private long liveStart;
    private long liveCursor;
    private long backlogCursor;
    private long deadLettered;
    private final int backlogRate;
    private double backlogTokens;
    private long tokensAt;

    Drain(Buffer buffer, PayloadFormat payloads, int maxReadings, int maxBytes, Clock clock) {
        this(buffer, payloads, maxReadings, maxBytes, clock, 0);
    }

    /** @param backlogRate most backlog readings per second, 0 for no limit */
    Drain(Buffer buffer, PayloadFormat payloads, int maxReadings, int maxBytes, Clock clock, int backlogRate) {
        this.buffer = buffer;
        this.payloads = payloads;
        this.maxReadings = maxReadings;
        this.configuredMaxBytes = maxBytes;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.backlogRate = backlogRate;
        this.tokensAt = clock.millis();
        this.backlogTokens = Math.max(backlogRate, maxReadings);
    }

    /** Whether the backlog's token bucket allows a batch now (always, without a rate). */
    private boolean backlogPaced() {
        if (backlogRate <= 0) return false;
        long now = clock.millis();
        double capacity = Math.max(backlogRate, maxReadings);
        backlogTokens = Math.min(capacity, backlogTokens + (now - tokensAt) * backlogRate / 1000.0);
        tokensAt = now;
        return backlogTokens <= 0;
    }

    /**
     * How long until the backlog may send again, when it waits only for its rate; {@code Long.MAX_VALUE}
     * when not paced. The uplink thread sleeps at most this long.
     */
    long backlogWaitMillis() {
        if (backlogRate <= 0 || backlogCursor >= liveStart || inflight.size() >= window || !backlogPaced()) return Long.MAX_VALUE;
        return (long) Math.ceil(-backlogTokens * 1000.0 / backlogRate) + 1;
    }

    /**
     * A new connection: forget what was in flight (a clean session never acknowledges it) and start
     * again from the lowest stored seq, so every unconfirmed reading is sent again. Everything stored
     * now is backlog.
     */
    void reset(int window) {
        reset(window, Long.MAX_VALUE);
    }

    /**
     * As {@link #reset(int)}, but readings with a seq above {@code liveAfter} (at most the highest
     * committed seq) are live: committed after the broker was last known unreachable.
     */
    void reset(int window, long liveAfter) {
        reset(window, liveAfter, Long.MAX_VALUE);
    }

    /**
     * As {@link #reset(int, long)}, with at most {@code packetRoom} payload bytes per message on this
     * connection (the broker's Maximum Packet Size less {@link #publishOverhead}) when that is below
     * {@code batch_max_bytes}: batches are cut to it, and a reading that alone exceeds it is dead-lettered
     * as {@value #TOO_BIG} (the library would drop the connection on every resend).
     */
    void reset(int window, long liveAfter, long packetRoom) {
        this.maxBytes = (int) Math.max(0, Math.min(configuredMaxBytes, packetRoom));
        this.window = Math.max(1, window);
        inflight.clear();
        liveStart = Math.max(0, Math.min(liveAfter, buffer.highestCommittedSeq()));
        liveCursor = liveStart;
        long lowest = buffer.lowestSeq();
        backlogCursor = lowest <= 0 ? liveStart : Math.min(lowest - 1, liveStart);
    }

    /**
     * Bytes a readings PUBLISH adds around its payload, at most: fixed header (5), topic (2 + its UTF-8),
     * packet id (2), and properties (length 4, payload format indicator 2, content type 3 + up to 64).
     */
    static int publishOverhead(String topic) {
        return 5 + 2 + topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2 + 4 + 2 + 3 + 64;
    }

    /** The next batch to publish now, or null when the window is full or nothing is waiting. */
    Batch next() {
        for (int guard = 0; guard < 10_000; guard++) {
            if (inflight.size() >= window) return null;
            long highest = buffer.highestCommittedSeq();
            boolean live = highest > liveCursor;
            boolean backlog = backlogCursor < liveStart && !backlogPaced();
            Kind kind;
            if (live && backlog) {
                // live holds at least half the window; backlog may take the rest
                boolean liveHasHalf = liveInflight() >= (window + 1) / 2;
                kind = liveHasHalf && backlogInflight() < backlogCap(true) ? Kind.BACKLOG : Kind.LIVE;
            } else if (live) {
                kind = Kind.LIVE;
            } else if (backlog) {
                kind = Kind.BACKLOG;
            } else {
                return null;
            }
            Outcome o = read(kind);
            if (o == Outcome.SENT) return lastIssued;
            if (o == Outcome.EMPTY && kind == Kind.LIVE) {
                // everything up to 'highest' was visible before the read: gone (evicted) meanwhile
                liveCursor = Math.max(liveCursor, highest);
            }
            // EMPTY backlog moved its cursor to the end; DEAD_LETTERED moved past the reading
        }
        return null;
    }

    /** Most backlog batches in flight: the whole window, or {@code window − ⌈window/2⌉} while live data waits. */
    int backlogCap(boolean liveWaiting) {
        return liveWaiting ? window - (window + 1) / 2 : window;
    }

    private enum Outcome { SENT, EMPTY, DEAD_LETTERED }

    private Batch lastIssued;

    private Outcome read(Kind kind) {
        long cursor = kind == Kind.LIVE ? liveCursor : backlogCursor;
        int budget = maxBytes - payloads.batchOverhead(1);
        List<StoredReading> got = buffer.read(cursor, maxReadings, Math.max(1, budget));
        List<StoredReading> list = new ArrayList<>(got.size());
        for (StoredReading r : got) {
            if (kind == Kind.BACKLOG && r.seq() > liveStart) break;
            list.add(r);
        }
        if (list.isEmpty()) {
            if (kind == Kind.BACKLOG) backlogCursor = liveStart;
            return Outcome.EMPTY;
        }
        List<StoredReading> read = list;
        while (true) {
            try {
                return issue(kind, payloads.prepare(list, maxBytes));
            } catch (RuntimeException e) {
                int bad = e instanceof PayloadFormat.UnreadableReading u ? indexOf(list, u.seq()) : -1;
                if (bad == 0) return unreadable(kind, list.get(0).seq(), e.getMessage(), null);
                if (bad > 0) {
                    list = list.subList(0, bad); // send what comes before it; it is first in the next read
                    continue;
                }
                // no stored reading should cause any other fault (a format's bug, or a row beyond what the format
                // checks): narrowed down by halves to the one reading that does, which is dead-lettered; never a stalled drain
                if (list.size() == 1) {
                    requireNotSystemic(read, e);
                    return unreadable(kind, list.get(0).seq(), "stored reading " + list.get(0).seq() + " cannot be sent: " + e, e);
                }
                list = list.subList(0, list.size() / 2);
            }
        }
    }

    /**
     * A fault that one reading alone raises is that reading's when the reading after it encodes on its
     * own. When that one fails as well (or there is none to try), the fault may be the format's (a bug,
     * a broken encoder), which would dead-letter the whole buffer one reading at a time: then nothing is
     * dead-lettered and the fault goes up to the uplink, which reconnects with its backoff and keeps
     * every reading stored. The same reading failing so on {@value #SYSTEMIC_STRIKES} connections in a
     * row is dead-lettered after all (two bad readings side by side must not stall the drain for good):
     * a broken format then loses one reading per {@value #SYSTEMIC_STRIKES} reconnects, not the buffer.
     */
    private void requireNotSystemic(List<StoredReading> read, RuntimeException fault) {
        long seq = read.get(0).seq();
        if (read.size() >= 2) {
            try {
                payloads.encode(payloads.prepare(List.of(read.get(1)), maxBytes), clock.instant());
                return; // the next one encodes alone: this fault is this reading's
            } catch (PayloadFormat.UnreadableReading u) {
                return; // the next one is unreadable in its own right: this fault is still this reading's
            } catch (RuntimeException next) {
                fault.addSuppressed(next);
            }
        }
        if (seq == suspectSeq && suspectStrikes >= SYSTEMIC_STRIKES) return;
        suspectStrikes = seq == suspectSeq ? suspectStrikes + 1 : 1;
        suspectSeq = seq;
        throw new IllegalStateException("the payload format fails on stored reading " + seq
                + (read.size() >= 2 ? " and on " + read.get(1).seq() + ", each alone" : " (no other reading to try)")
                + " (" + fault + "): a fault of the format, not of a stored row; nothing is dead-lettered (strike "
                + suspectStrikes + " of " + SYSTEMIC_STRIKES + ")", fault);
    }

    /** Connections in a row on which a reading may fail with no proof that the fault is its own. */
    static final int SYSTEMIC_STRIKES = 3;
    private long suspectSeq = -1;
    private int suspectStrikes;

    /** The index of reading {@code seq} in {@code list}, -1 when it is not there. */
    private static int indexOf(List<StoredReading> list, long seq) {
        for (int i = 0; i < list.size(); i++) if (list.get(i).seq() == seq) return i;
        return -1;
    }

    /** Dead-letters reading {@code seq} as {@value #UNREADABLE}. */
    private Outcome unreadable(Kind kind, long seq, String why, Throwable fault) {
        if (fault == null) LOG.error("{}: dead-lettered as {}", why, UNREADABLE);
        else LOG.error("{}: dead-lettered as {}", why, UNREADABLE, fault);
        return deadLetter(kind, seq, UNREADABLE);
    }

    /** Moves reading {@code seq} to the dead letters with {@code reason}, past it. */
    private Outcome deadLetter(Kind kind, long seq, String reason) {
        buffer.deadLetter(new long[]{seq}, reason);
        deadLettered++;
        advance(kind, seq);
        return Outcome.DEAD_LETTERED;
    }

    /**
     * Cuts the batch to the byte bound, encodes and issues it. The cut uses the stored sizes plus the
     * format's {@link PayloadFormat#batchOverhead} bound, which holds for readings this gateway wrote;
     * a batch that still encodes larger than {@code batch_max_bytes} (a compact batch sent as JSON v1
     * because a stored JSON object does not read back, or crafted rows beyond the per-reading bound) is
     * encoded again with half its readings until it fits. A reading that alone exceeds the bound, stored
     * or encoded, is dead-lettered as {@value #TOO_BIG}: no published message is ever larger.
     */
    private Outcome issue(Kind kind, List<StoredReading> list) {
        StoredReading first = list.get(0);
        if (first.body().length + payloads.batchOverhead(1) > maxBytes) {
            return tooBig(kind, first.seq(), first.body().length + " stored bytes");
        }
        long total = 0;
        int n = 0;
        for (StoredReading r : list) {
            if (total + r.body().length + payloads.batchOverhead(n + 1) > maxBytes) break;
            total += r.body().length;
            n++;
        }
        PayloadFormat.Encoded e;
        while ((e = payloads.encode(list.subList(0, n), clock.instant())).bytes().length > maxBytes) {
            if (n == 1) return tooBig(kind, first.seq(), e.bytes().length + " bytes encoded");
            n /= 2;
        }
        long[] seqs = new long[n];
        for (int i = 0; i < n; i++) seqs[i] = list.get(i).seq();
        Batch b = new Batch(nextTag++, kind, seqs, e.bytes(), e.contentType());
        advance(kind, seqs[n - 1]);
        if (kind == Kind.BACKLOG) backlogTokens -= n;
        inflight.put(b.tag(), b);
        lastIssued = b;
        return Outcome.SENT;
    }

    /** Dead-letters reading {@code seq}, which alone exceeds {@code batch_max_bytes} ({@code size} says by what). */
    private Outcome tooBig(Kind kind, long seq, String size) {
        LOG.warn("reading {}: {} exceed the {} bytes a message may have ({}): dead-lettered as {}", seq, size, maxBytes,
                maxBytes < configuredMaxBytes ? "the broker's maximum packet size" : "batch_max_bytes", TOO_BIG);
        return deadLetter(kind, seq, TOO_BIG);
    }

    private void advance(Kind kind, long seq) {
        if (kind == Kind.LIVE) liveCursor = Math.max(liveCursor, seq);
        else backlogCursor = Math.max(backlogCursor, seq);
    }

    /** The batch {@code tag} left the window (acknowledged or refused); null when unknown. */
    Batch complete(long tag) {
        return inflight.remove(tag);
    }

    int inflight() { return inflight.size(); }

    int window() { return window; }

    int backlogInflight() {
        int n = 0;
        for (Batch b : inflight.values()) if (b.kind() == Kind.BACKLOG) n++;
        return n;
    }

    int liveInflight() { return inflight.size() - backlogInflight(); }

    boolean backlogDone() { return backlogCursor >= liveStart; }

    long deadLettered() { return deadLettered; }

}
