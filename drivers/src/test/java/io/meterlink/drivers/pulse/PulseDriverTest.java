package io.meterlink.drivers.pulse;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PulseDriverTest {
    @TempDir Path state;

    /** Lines a test drives by hand: edges go straight to the driver, as the Pi4J listener would give them. */
    static final class HandLines implements PulseLines {
        final AtomicReference<Edges> edges = new AtomicReference<>();
        final List<Long> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile long helloSeq = -1;

        @Override public boolean[] open(Edges e, IntToLongFunction committedSeq) {
            helloSeq = committedSeq.applyAsLong(0);
            edges.set(e);
            return new boolean[]{false};
        }

        @Override public void committed(int input, long wireSeq) { acknowledged.add(wireSeq); }

        @Override public void close() { edges.set(null); }

        /** One pulse of {@code widthMs} with {@code bounces} bounce edge pairs at its start, tagged {@code seq}. */
        void pulse(long seq, int bounces, long widthMs) throws InterruptedException {
            Edges e = edges.get();
            for (int b = 0; b < bounces; b++) {
                e.edge(0, true, System.nanoTime(), seq);
                e.edge(0, false, System.nanoTime(), seq);
            }
            e.edge(0, true, System.nanoTime(), seq);
            Thread.sleep(widthMs);
            e.edge(0, false, System.nanoTime(), seq);
        }
    }

    private static Map<String, Object> config(String startValue, String stuckAfter) {
        Map<String, Object> input = new HashMap<>();
        input.put("id", "main");
        input.put("pin", 17);
        input.put("debounce", "5ms");
        input.put("pulses_per_unit", "1000");
        input.put("unit", "kWh");
        input.put("start_value", startValue);
        Map<String, Object> m = new HashMap<>();
        m.put("provider", "gpiod");
        m.put("interval", "1s");
        m.put("stuck_after", stuckAfter);
        m.put("inputs", List.of(input));
        return m;
    }

    private PulseDriver driver(Recording r, HandLines lines, String startValue, String stuckAfter) {
        MapSettings s = new MapSettings(config(startValue, stuckAfter));
        PulseDriverConfig c = PulseDriverFactory.read(s);
        assertNotNull(c, s.errors().toString());
        r.stateDir = state;
        return new PulseDriver(c, lines, r);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static BigDecimal lastEnergy(Recording r) {
        BigDecimal v = null;
        for (Reading x : r.readings) if (x.quantity() == Quantity.ENERGY) v = x.value();
        return v;
    }

    @Test
    void bouncyPulses_countedExactly_registerAndPowerRead() throws Exception {
        Recording r = new Recording(Clock.systemUTC());
        HandLines lines = new HandLines();
        try (PulseDriver d = driver(r, lines, "12.5", "0s")) {
            d.start();
            await(() -> lines.edges.get() != null, "lines opened");
            for (int i = 1; i <= 25; i++) {
                lines.pulse(i, i % 3, 12);
                Thread.sleep(12);
            }
            await(() -> d.committed(0) == 25, "25 pulses committed");
            await(() -> lines.acknowledged.contains(25L), "pulse 25 acknowledged");
            await(() -> r.readings.stream().anyMatch(x -> x.quantity() == Quantity.POWER), "a power reading");
            await(() -> new BigDecimal("12525").compareTo(lastEnergy(r)) == 0, "register 12.5 kWh + 25 Wh");
            assertTrue(r.bad.contains(DecodeException.Kind.SYNTAX), "bounce edges are counted as bad input");
            assertTrue(r.readings.stream().allMatch(x -> x.meter().toString().equals("pulse:s0:main")));
        }
    }

    @Test
    void count_survivesRestart_andResumesAfterTheCommittedPulseNumber() throws Exception {
        Recording r = new Recording(Clock.systemUTC());
        HandLines lines = new HandLines();
        PulseDriver d = driver(r, lines, "0", "0s");
        d.start();
        await(() -> lines.edges.get() != null, "lines opened");
        for (int i = 1; i <= 7; i++) {
            lines.pulse(i, 1, 10);
            Thread.sleep(10);
        }
        await(() -> d.committed(0) == 7, "7 committed");
        d.close();

        HandLines again = new HandLines();
        PulseDriver d2 = driver(new Recording(Clock.systemUTC()), again, "0", "0s");
        d2.start();
        await(() -> again.edges.get() != null, "lines reopened");
        assertEquals(7, again.helloSeq, "the wire resumes after the last durable pulse");
        assertEquals(7, d2.committed(0));
        again.pulse(8, 0, 10);
        await(() -> d2.committed(0) == 8, "8 committed");
        d2.close();
    }

    @Test
    void lowerStartValue_raisesCounterBackwards() throws Exception {
        Recording r = new Recording(Clock.systemUTC());
        HandLines lines = new HandLines();
        PulseDriver d = driver(r, lines, "100", "0s");
        d.start();
        await(() -> lines.edges.get() != null, "lines opened");
        d.close();
        assertTrue(r.alarms.isEmpty());

        Recording r2 = new Recording(Clock.systemUTC());
        HandLines lines2 = new HandLines();
        PulseDriver d2 = driver(r2, lines2, "99", "0s");
        d2.start();
        await(() -> lines2.edges.get() != null, "lines reopened");
        assertEquals(java.util.Set.of("counter_backwards:pulse:s0:main"), r2.alarms);
        d2.close();
    }

    @Test
    void inputHeldActive_raisesInputStuck_thenClears() throws Exception {
        Recording r = new Recording(Clock.systemUTC());
        HandLines lines = new HandLines();
        try (PulseDriver d = driver(r, lines, "0", "300ms")) {
            d.start();
            await(() -> lines.edges.get() != null, "lines opened");
            lines.edges.get().edge(0, true, System.nanoTime(), 1);
            await(() -> r.alarms.contains("input_stuck:line1/17"), "input_stuck raised");
            lines.edges.get().edge(0, false, System.nanoTime(), 1);
            await(() -> r.alarms.isEmpty(), "input_stuck cleared");
            assertEquals(1, d.committed(0), "the long pulse itself still counts once");
        }
    }

    @Test
    void bounceStorm_dropsAreCounted_andCountingGoesOn() throws Exception {
        Recording r = new Recording(Clock.systemUTC());
        HandLines lines = new HandLines();
        try (PulseDriver d = driver(r, lines, "0", "0s")) {
            d.start();
            await(() -> lines.edges.get() != null, "lines opened");
            PulseLines.Edges e = lines.edges.get();
            for (int i = 0; i < 200_000; i++) e.edge(0, i % 2 == 0, System.nanoTime(), 1);
            await(() -> r.bad.contains(DecodeException.Kind.LENGTH), "dropped edges counted");
            Thread.sleep(50);
            long before = d.committed(0);
            lines.pulse(2, 0, 15);
            await(() -> d.committed(0) == before + 1, "a clean pulse after the storm counts");
        }
    }

    @Test
    void configure_refusesBadInputs_withKeys() {
        Map<String, Object> m = config("-1", "0s");
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) ((List<?>) m.get("inputs")).get(0);
        input.put("pulses_per_unit", "zero");
        input.put("id", "bad id!");
        m.put("provider", "mock");
        MapSettings s = new MapSettings(m);
        assertNull(new PulseDriverFactory().configure(s));
        String errors = s.errors().toString();
        for (String key : List.of("start_value", "pulses_per_unit", "id", "wire")) assertTrue(errors.contains(key), errors);
        List<String> copy = new ArrayList<>(s.errors());
        assertTrue(copy.size() >= 4);
    }

    @Test
    void register_oneImpulsePerTenLitres_isExact() {
        PulseInput water = new PulseInput(io.meterlink.core.api.MeterId.of("pulse:s0:water"), 4, PulseInput.Pull.UP, true, Duration.ofMillis(25),
                new BigDecimal("0.1"), "l", new BigDecimal("1234.5"), null);
        assertEquals(new BigDecimal("1.2645"), water.register(3)); // 1234.5 l + 3 × 10 l = 1264.5 l = 1.2645 m3
    }
}
