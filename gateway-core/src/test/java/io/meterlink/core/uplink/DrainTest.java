package io.meterlink.core.uplink;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DrainTest {

    private final JsonPayloads payloads = new JsonPayloads("gw-1");
    private final FakeBuffer buffer = new FakeBuffer(payloads);

    private Drain drain(int maxReadings, int maxBytes) {
        return new Drain(buffer, payloads, maxReadings, maxBytes, Clock.systemUTC());
    }

    /** The JSON format, whose encoding fails (a format's own fault, not an unreadable row) on a batch holding a reading {@code at}. */
    private PayloadFormat failingOn(java.util.function.LongPredicate at) {
        return new PayloadFormat() {
            @Override public int batchOverhead(int n) { return payloads.batchOverhead(n); }
            @Override public Encoded encode(List<io.meterlink.core.buffer.StoredReading> rs, java.time.Instant sent) {
                if (rs.stream().anyMatch(r -> at.test(r.seq()))) throw new IllegalStateException("a format's fault");
                return payloads.encode(rs, sent);
            }
        };
    }

    private static List<Drain.Batch> takeAll(Drain d) {
        List<Drain.Batch> out = new ArrayList<>();
        Drain.Batch b;
        while ((b = d.next()) != null) out.add(b);
        return out;
    }

    @Test
    void backlogAlone_fillsWholeWindow_oldestFirst() {
        buffer.appendBodies(100, 10);
        Drain d = drain(10, 100_000);
        d.reset(4);
        List<Drain.Batch> sent = takeAll(d);
        assertEquals(4, sent.size());
        assertTrue(sent.stream().allMatch(b -> b.kind() == Drain.Kind.BACKLOG));
        assertEquals(1, sent.get(0).seqs()[0]);
        assertEquals(31, sent.get(3).seqs()[0]);
    }

    @Test
    void liveArriving_behindFullBacklogWindow_takesNextFreeSlot_andHoldsAtLeastHalf() {
        buffer.appendBodies(1000, 10);
        Drain d = drain(10, 100_000);
        d.reset(4);
        List<Drain.Batch> inflight = new ArrayList<>(takeAll(d));
        buffer.appendBodies(200, 10); // live data keeps waiting from now on
        assertNull(d.next(), "window full: nothing preempted");

        int live = 0, backlog = 0;
        for (int round = 0; round < 12; round++) {
            Drain.Batch done = inflight.remove(0); // oldest acknowledged first
            d.complete(done.tag());
            buffer.confirm(done.seqs());
            inflight.addAll(takeAll(d));
            live = d.liveInflight();
            backlog = d.backlogInflight();
            if (round == 0) assertEquals(1, live, "the first free slot goes to live data");
        }
        assertEquals(2, live, "live holds half the window while both wait");
        assertEquals(2, backlog, "backlog keeps the other half: not starved either");
    }

    @Test
    void reset_withLiveAfter_sendsLaterReadingsAsLive_beforeTheBacklog() {
        buffer.appendBodies(100, 10); // seq 1..90 before the broker was lost, 91..100 while reconnecting
        Drain d = drain(10, 100_000);
        d.reset(4, 90);
        List<Drain.Batch> sent = takeAll(d);
        assertEquals(4, sent.size());
        assertEquals(Drain.Kind.LIVE, sent.get(0).kind());
        assertArrayEquals(new long[]{91, 92, 93, 94, 95, 96, 97, 98, 99, 100}, sent.get(0).seqs());
        for (int i = 1; i < 4; i++) {
            assertEquals(Drain.Kind.BACKLOG, sent.get(i).kind());
            assertEquals(1 + 10L * (i - 1), sent.get(i).seqs()[0]);
        }
        assertTrue(sent.stream().flatMapToLong(b -> java.util.Arrays.stream(b.seqs())).allMatch(s -> s <= 30 || s > 90),
                "each reading in exactly one kind");
    }

    @Test
    void reset_liveAfterBeyondHighest_isClampedToHighest() {
        buffer.appendBodies(20, 10);
        Drain d = drain(10, 100_000);
        d.reset(4, 1_000);
        List<Drain.Batch> sent = takeAll(d);
        assertEquals(2, sent.size());
        assertTrue(sent.stream().allMatch(b -> b.kind() == Drain.Kind.BACKLOG));
        buffer.appendBodies(1, 10);
        assertEquals(Drain.Kind.LIVE, d.next().kind(), "seq 21 is live");
    }

    /** A clock the test moves by hand. */
    private static final class StepClock extends java.time.Clock {
        private java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advanceMillis(long ms) { now = now.plusMillis(ms); }

        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public java.time.Instant instant() { return now; }
    }

    @Test
    void backlogRate_pacesTheBacklog_toItsRate_butNeverLiveReadings() {
        buffer.appendBodies(2000, 10);
        StepClock clock = new StepClock();
        Drain d = new Drain(buffer, payloads, 10, 100_000, clock, 20); // 20 backlog readings per second
        d.reset(8);
        long backlogSent = 0;
        for (int step = 0; step < 100; step++) { // 10 s in steps of 100 ms, every batch acknowledged at once
            for (Drain.Batch b : takeAll(d)) {
                assertEquals(Drain.Kind.BACKLOG, b.kind());
                backlogSent += b.seqs().length;
                d.complete(b.tag());
                buffer.confirm(b.seqs());
            }
            assertTrue(d.backlogWaitMillis() <= 1001, "the uplink wakes when the next backlog batch may go");
            clock.advanceMillis(100);
        }
        // a full bucket (20) at the start, then 20 per second for 10 s
        assertTrue(backlogSent >= 200 && backlogSent <= 240, "backlog readings sent in 10 s: " + backlogSent);

        buffer.appendBodies(50, 10); // live readings: not paced
        List<Drain.Batch> live = takeAll(d);
        assertEquals(5, live.size());
        assertTrue(live.stream().allMatch(b -> b.kind() == Drain.Kind.LIVE));
    }

    @Test
    void noBacklogRate_neverWaits() {
        buffer.appendBodies(100, 10);
        Drain d = drain(10, 100_000);
        d.reset(4);
        assertEquals(4, takeAll(d).size());
        assertEquals(Long.MAX_VALUE, d.backlogWaitMillis());
    }

    @Test
    void liveOnly_usesWholeWindow() {
        Drain d = drain(5, 100_000);
        d.reset(4);
        buffer.appendBodies(100, 10);
        List<Drain.Batch> sent = takeAll(d);
        assertEquals(4, sent.size());
        assertTrue(sent.stream().allMatch(b -> b.kind() == Drain.Kind.LIVE));
    }

    @Test
    void batch_respectsMaxBytes_andTooBigReadingIsDeadLettered() {
        buffer.appendBodies(1, 10);
        buffer.appendBodies(1, 5000); // seq 2: alone larger than a batch may be
        buffer.appendBodies(20, 100);
        Drain d = drain(500, 1024);
        d.reset(8);
        List<Drain.Batch> sent = takeAll(d);
        assertTrue(buffer.deadLetters.containsKey(2L), "too big reading dead-lettered");
        assertTrue(buffer.deadLetters.get(2L).startsWith("too_big"));
        long total = 0;
        for (Drain.Batch b : sent) {
            assertTrue(b.payload().length <= 1024, "batch of " + b.payload().length + " bytes");
            total += b.seqs().length;
            for (long s : b.seqs()) assertTrue(s != 2);
        }
        assertEquals(21, total);
    }

    @Test
    void reset_afterReconnect_resendsEverythingUnconfirmed() {
        buffer.appendBodies(30, 10);
        Drain d = drain(10, 100_000);
        d.reset(8);
        List<Drain.Batch> first = takeAll(d);
        assertEquals(3, first.size());
        d.complete(first.get(1).tag());
        buffer.confirm(first.get(1).seqs()); // only the middle batch was acknowledged
        d.reset(8); // connection lost, new connection
        List<Drain.Batch> again = takeAll(d);
        List<Long> seqs = new ArrayList<>();
        again.forEach(b -> { for (long s : b.seqs()) seqs.add(s); });
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= 10; s++) expected.add(s);
        for (long s = 21; s <= 30; s++) expected.add(s);
        assertEquals(expected, seqs);
        assertArrayEquals(new long[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, again.get(0).seqs());
    }

    @Test
    void unreadableStoredRecord_isDeadLettered_theReadingsAroundItAreSentOnce() {
        FakeBuffer recs = new FakeBuffer(new ReadingRecords());
        recs.append(ReadingRecordsTest.varied(3, 8));
        recs.stored.put(3L, new io.meterlink.core.buffer.StoredReading(3, 0, 0, new byte[]{ReadingRecords.FORMAT, 0}));
        for (PayloadFormat format : List.of(new CompactPayloads(payloads), payloads)) {
            Drain d = new Drain(recs, format, 10, 100_000, Clock.systemUTC());
            d.reset(8);
            List<Long> sent = new ArrayList<>();
            for (Drain.Batch b : takeAll(d)) for (long s : b.seqs()) sent.add(s);
            assertEquals(List.of(1L, 2L, 4L, 5L, 6L, 7L, 8L), sent, format.getClass().getSimpleName());
            assertEquals(Drain.UNREADABLE, recs.deadLetters.get(3L));
            assertEquals(1, d.deadLettered());
            recs.stored.put(3L, new io.meterlink.core.buffer.StoredReading(3, 0, 0, new byte[]{ReadingRecords.FORMAT, 0}));
            recs.deadLetters.clear();
        }
    }

    @Test
    void aFaultWhileEncodingOneReading_isNarrowedToIt_itIsDeadLettered_andTheDrainGoesOn() {
        buffer.appendBodies(50, 10);
        PayloadFormat faulty = failingOn(seq -> seq == 23);
        Drain d = new Drain(buffer, faulty, 20, 100_000, Clock.systemUTC());
        d.reset(8);
        List<Long> sent = new ArrayList<>();
        for (Drain.Batch b : takeAll(d)) for (long s : b.seqs()) sent.add(s);
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= 50; s++) if (s != 23) expected.add(s);
        assertEquals(expected, sent, "every other reading sent once, in order");
        assertEquals(java.util.Map.of(23L, Drain.UNREADABLE), buffer.deadLetters);
        assertEquals(1, d.deadLettered());
    }

    @Test
    void aFormatThatFailsOnEveryReading_deadLettersNothing_theFaultGoesUpToTheUplink() {
        buffer.appendBodies(50, 10);
        PayloadFormat broken = failingOn(seq -> true);
        Drain d = new Drain(buffer, broken, 20, 100_000, Clock.systemUTC());
        for (int connection = 1; connection <= Drain.SYSTEMIC_STRIKES; connection++) {
            d.reset(8);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, d::next);
            assertTrue(e.getMessage().contains("nothing is dead-lettered"), e::getMessage);
            assertEquals(java.util.Map.of(), buffer.deadLetters);
            assertEquals(50, buffer.stored.size());
        }
        // the same reading on the next connection: one reading lost per SYSTEMIC_STRIKES reconnects, never the buffer
        d.reset(8);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, d::next);
        assertEquals(java.util.Set.of(1L), buffer.deadLetters.keySet());
        assertEquals(1, d.deadLettered());
    }

    @Test
    void twoBadReadingsSideBySide_stallTheDrainForAFewConnectionsOnly_thenGoAndTheRestIsSent() {
        buffer.appendBodies(50, 10);
        PayloadFormat faulty = failingOn(seq -> seq == 23 || seq == 24);
        Drain d = new Drain(buffer, faulty, 20, 100_000, Clock.systemUTC());
        List<Long> sent = new ArrayList<>();
        int stalls = 0;
        for (int connection = 0; connection < 10 && buffer.deadLetters.size() < 2; connection++) {
            d.reset(8, Long.MAX_VALUE);
            try {
                for (Drain.Batch b : takeAll(d)) for (long s : b.seqs()) sent.add(s);
            } catch (IllegalStateException stalled) {
                stalls++;
            }
        }
        assertEquals(Drain.SYSTEMIC_STRIKES, stalls);
        assertEquals(java.util.Set.of(23L, 24L), buffer.deadLetters.keySet());
        d.reset(8, Long.MAX_VALUE);
        for (Drain.Batch b : takeAll(d)) for (long s : b.seqs()) sent.add(s);
        assertTrue(sent.containsAll(java.util.stream.LongStream.rangeClosed(25, 50).boxed().toList()), sent::toString);
    }

    @Test
    void aConnectionsPacketRoom_capsItsBatches_andTheNextConnectionWithoutOneHasTheWholeBound() {
        buffer.appendBodies(30, 100);
        buffer.appendBodies(1, 1500); // seq 31: within batch_max_bytes, beyond this broker's packet
        Drain d = drain(500, 100_000);
        d.reset(64, Long.MAX_VALUE, 1024);
        List<Drain.Batch> sent = takeAll(d);
        assertTrue(sent.size() >= 3, sent.size() + " batches");
        for (Drain.Batch b : sent) assertTrue(b.payload().length <= 1024, b.payload().length + " bytes");
        assertEquals(30, sent.stream().mapToInt(b -> b.seqs().length).sum());
        assertEquals(java.util.Map.of(31L, Drain.TOO_BIG), buffer.deadLetters);

        buffer.appendBodies(30, 100);
        d.reset(64); // a broker that announces no limit
        List<Drain.Batch> again = takeAll(d);
        assertEquals(1, again.size(), "the readings sent before (unconfirmed) and the new ones: one batch");
        assertEquals(60, again.get(0).seqs().length);
    }
}
