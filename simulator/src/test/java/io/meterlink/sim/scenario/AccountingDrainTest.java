package io.meterlink.sim.scenario;

import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.meterlink.sim.scenario.AccountingTest.T0;
import static io.meterlink.sim.scenario.AccountingTest.arrival;
import static io.meterlink.sim.scenario.AccountingTest.gen;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The live latency of readings generated while a backlog drains (helpers: {@link AccountingTest}). */
class AccountingDrainTest {
    @Test
    void drainLive_countsOnlyLiveReadingsGeneratedInTheDrainWindow() {
        // second 1: start-up (a fault window, not live); 5 and 10: during the drain; 30: after it
        List<Verdict.Generated> g = List.of(gen(1), gen(5), gen(10), gen(30));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 9_000), arrival(g.get(1), 2, 8_000),
                arrival(g.get(2), 3, 4_000), arrival(g.get(3), 4, 100));
        List<Accounting.Window> faults = List.of(new Accounting.Window(T0, T0.plusSeconds(2)));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L, 3L, 4L), T0, List.of(), Duration.ofSeconds(3), faults, 0,
                List.of(), new Accounting.Window(T0, T0.plusSeconds(20)));
        assertEquals(2, f.drainLiveReadings());
        assertEquals(8_000, f.drainLiveP99LatencyMs());
        assertEquals(3, f.liveReadings());
        assertEquals(9_000, f.p99LatencyMs());
    }

    @Test
    void withoutADrainWindow_noDrainFigures() {
        List<Verdict.Generated> g = List.of(gen(5));
        Accounting.Figures f = Accounting.of("gw", g, List.of(arrival(g.get(0), 1, 700)), 0, Set.of(1L), T0, List.of(),
                Duration.ofSeconds(3), List.of(), 0);
        assertEquals(0, f.drainLiveReadings());
        assertEquals(0, f.drainLiveP99LatencyMs());
        assertEquals(700, f.liveP99LatencyMs());
    }
}
