package io.meterlink.payload;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property tests (jqwik, fixed seed, bounded tries): every field of every reading survives the
 * compact format exactly, with and without DEFLATE — values of any scale (negative too) and any size
 * (beyond 64 bits), times over the whole {@link Instant} range at second, milli-, micro- and nanosecond
 * precision, absent meter times and RSSI, any seq order — and the JSON v1 a head-end rebuilds from a
 * compact message is byte for byte the JSON v1 the gateway would have sent.
 */
class CompactV1PropertyTest {
    private static final AtomicLong READINGS = new AtomicLong();
    private static final AtomicLong DEFLATED = new AtomicLong();

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED, seed = "20261206")
    void everyField_roundTripsExactly(@ForAll("readings") List<WireReading> readings,
                                      @ForAll("instants") Instant sent, @ForAll boolean deflate) throws Exception {
        ReadingsBatch batch = new ReadingsBatch("gw-" + readings.size(), sent, readings);
        byte[] message = CompactV1.encode(batch, deflate ? CompactV1.Compression.DEFLATE : CompactV1.Compression.NONE);
        if (message[0] == CompactV1.HEADER_DEFLATE) DEFLATED.incrementAndGet();
        ReadingsBatch back = CompactV1.decode(message);
        assertEquals(batch.gw(), back.gw());
        assertEquals(batch.sent(), back.sent());
        assertEquals(readings.size(), back.readings().size());
        for (int i = 0; i < readings.size(); i++) {
            WireReading a = readings.get(i);
            WireReading b = back.readings().get(i);
            assertEquals(a, b, "reading " + i); // record equality: BigDecimal equals compares the scale too
            assertEquals(a.value().scale(), b.value().scale());
            assertEquals(a.measurementKey(), b.measurementKey());
        }
        READINGS.addAndGet(readings.size());
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED, seed = "20261207")
    void compactToJson_isTheJsonTheGatewaySends(@ForAll("readings") List<WireReading> readings,
                                                @ForAll("instants") Instant sent) throws Exception {
        ReadingsBatch batch = new ReadingsBatch("gw-0001", sent, readings);
        byte[] json = JsonV1.batch(batch);
        assertArrayEquals(json, Payloads.toJson(CompactV1.encode(batch, CompactV1.Compression.DEFLATE)));
        // and the JSON itself reads back to the same readings, except for negative scales, which JSON writes plainly
        ReadingsBatch fromJson = JsonV1.parseBatch(json);
        for (int i = 0; i < readings.size(); i++) {
            assertEquals(0, readings.get(i).value().compareTo(fromJson.readings().get(i).value()));
            assertEquals(readings.get(i).measurementKey(), fromJson.readings().get(i).measurementKey());
        }
    }

    @AfterContainer
    static void report() {
        System.out.printf("COMPACT_ROUND_TRIP readings=%d deflated_messages=%d%n", READINGS.get(), DEFLATED.get());
        assertTrue(READINGS.get() > 1000, "readings generated: " + READINGS);
        assertTrue(DEFLATED.get() > 0, "some messages were compressed");
    }

    @Provide
    Arbitrary<List<WireReading>> readings() {
        Arbitrary<String> meter = Arbitraries.oneOf(
                Arbitraries.of("wmbus:KAM:12345678", "mbus:LUG:00042017", "p1:ISK:E0012345"),
                Arbitraries.strings().withChars("abcXYZ019:|\"\\é°€ /").ofMinLength(1).ofMaxLength(24));
        Arbitrary<String[]> register = Arbitraries.oneOf(
                Arbitraries.of(new String[]{"volume", "m3", "instantaneous"}, new String[]{"energy", "Wh", "maximum"},
                        new String[]{"temperature", "°C", "minimum"}),
                Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(12), Arbitraries.strings().ofMaxLength(6),
                        Arbitraries.of("instantaneous", "maximum", "minimum", "error", "average")).as((q, u, f) -> new String[]{q, u, f}));
        Arbitrary<BigDecimal> value = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.longs().between(-100_000, 100_000).map(BigInteger::valueOf),
                        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))),
                Arbitraries.integers().between(-12, 24)).as(BigDecimal::new);
        Arbitrary<int[]> address = Combinators.combine(Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.just(Integer.MAX_VALUE)),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3)).as((s, t, u) -> new int[]{s, t, u});
        Arbitrary<Integer> rssi = Arbitraries.integers().between(-200, 50).injectNull(0.3);
        Arbitrary<WireReading> one = Combinators.combine(meter, register, value, address, instants().injectNull(0.3), instants(),
                        Arbitraries.integers(), rssi)
                .as((m, g, v, a, mt, rx, st, rs) -> new WireReading(0, m, g[0], g[1], v, g[2], a[0], a[1], a[2], mt, rx, st, rs));
        return one.list().ofMinSize(1).ofMaxSize(50).flatMap(list -> Arbitraries.longs().array(long[].class).ofSize(list.size()).map(s -> withSeqs(list, s)));
    }

    /** Ascending seqs as the gateway sends them most often, and sometimes raw (any order, any sign). */
    private static List<WireReading> withSeqs(List<WireReading> list, long[] seqs) {
        long[] s = seqs.clone();
        if (s.length > 0 && (s[0] & 1) == 0) {
            Arrays.sort(s);
        }
        List<WireReading> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            WireReading r = list.get(i);
            out.add(new WireReading(s[i], r.meter(), r.quantity(), r.unit(), r.value(), r.function(), r.storage(), r.tariff(),
                    r.subunit(), r.meterTime(), r.received(), r.status(), r.rssi()));
        }
        return out;
    }

    @Provide
    Arbitrary<Instant> instants() {
        Arbitrary<Long> seconds = Arbitraries.oneOf(
                Arbitraries.longs().between(1_700_000_000L, 1_900_000_000L),
                Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()));
        Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
                Arbitraries.integers().between(0, 999_999_999));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }
}
