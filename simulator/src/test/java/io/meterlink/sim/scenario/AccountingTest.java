package io.meterlink.sim.scenario;

import io.meterlink.sim.headend.GatewaySeq;
import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Verdict;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AccountingTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final MeterId METER = MeterId.of("mbus", "ELS", "10000001");

    private static Verdict.Generated gen(int i) {
        Instant at = T0.plusSeconds(i);
        return new Verdict.Generated(new Reading(METER, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(i), MeasurementFunction.INSTANTANEOUS,
                0, 0, 0, at, at, 0, null), at);
    }

    private static HeadEnd.Arrival arrival(Verdict.Generated g, long seq, long latencyMs) {
        return new HeadEnd.Arrival(new GatewaySeq("gw", seq), Verdict.keyOf(g.reading().measurementKey(), g.reading().value()),
                g.at().plusMillis(latencyMs));
    }

    @Test
    void everythingDelivered_nothingLost_latencyFromGeneration() {
        List<Verdict.Generated> g = List.of(gen(0), gen(1), gen(2));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 100), arrival(g.get(1), 2, 200), arrival(g.get(2), 3, 300));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L, 3L), T0, List.of(), Duration.ofSeconds(3), List.of(), 0);
        assertEquals(3, f.generated());
        assertEquals(3, f.accepted());
        assertEquals(0, f.lost());
        assertEquals(200, f.p50LatencyMs());
        assertEquals(300, f.p99LatencyMs());
        assertEquals(Map.of("mbus", new Accounting.Family(3, 3, 0)), f.byFamily());
    }

    @Test
    void acceptedButNeverDelivered_isLost_evenInsideAKillWindow() {
        List<Verdict.Generated> g = List.of(gen(0), gen(1));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 100));
        Instant kill = T0.plusSeconds(2);
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L), T0, List.of(kill), Duration.ofSeconds(3), List.of(), 0);
        assertEquals(1, f.lostAccepted());
        assertEquals(1, f.lost());
    }

    @Test
    void generatedJustBeforeAKill_andNeverAccepted_isInFlight_notLost() {
        List<Verdict.Generated> g = List.of(gen(0), gen(10), gen(20));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 100));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L), T0, List.of(T0.plusSeconds(11)), Duration.ofSeconds(3),
                List.of(), 0);
        assertEquals(2, f.neverDelivered());
        assertEquals(1, f.inFlightAtKill(), "the reading of second 10, one second before the kill");
        assertEquals(1, f.lost(), "the reading of second 20 was generated long after the kill: lost");
    }

    @Test
    void evictions_areNotCountedAsLost() {
        List<Verdict.Generated> g = List.of(gen(0), gen(1), gen(2));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(2), 3, 100));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L, 3L), T0, List.of(), Duration.ZERO, List.of(), 2);
        assertEquals(2, f.lostAccepted());
        assertEquals(0, f.lost());
    }

    @Test
    void sameMeasurementUnderASecondSeq_isADuplicateByMeasurement() {
        List<Verdict.Generated> g = List.of(gen(0));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 100), arrival(g.get(0), 7, 150));
        Accounting.Figures f = Accounting.of("gw", g, a, 4, Set.of(1L, 7L), T0, List.of(), Duration.ZERO, List.of(), 0);
        assertEquals(1, f.duplicatesByMeasurement());
        assertEquals(4, f.duplicatesBySeq());
        assertEquals(0, f.lost());
    }

    @Test
    void wirelessTelegramsSentWhileTheGatewayWasDown_areNotHeard_notLost() {
        MeterId radio = MeterId.of("wmbus", "KAM", "20000001");
        List<Verdict.Generated> g = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Instant at = T0.plusSeconds(i);
            g.add(new Verdict.Generated(new Reading(radio, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(i),
                    MeasurementFunction.INSTANTANEOUS, 0, 0, 0, at, at, 0, null), at));
        }
        // killed at second 3 (nothing in flight), listening again from second 6: seconds 3..5 unheard; second 8 lost
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 10), arrival(g.get(1), 2, 10), arrival(g.get(2), 3, 10),
                arrival(g.get(6), 4, 10), arrival(g.get(7), 5, 10), arrival(g.get(9), 6, 10));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L, 3L, 4L, 5L, 6L), T0, List.of(T0.plusMillis(2_500)),
                Duration.ZERO, List.of(), 0);
        assertEquals(4, f.neverDelivered());
        assertEquals(3, f.notHeard());
        assertEquals(1, f.lost());
    }

    @Test
    void sameKeyReadings_areToldApartByTheGatewaysReceiveTime() {
        // a constant temperature in one minute: three telegrams with the same key and value; the first never arrived
        List<Verdict.Generated> g = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Instant at = T0.plusSeconds(2L * i);
            g.add(new Verdict.Generated(new Reading(METER, Quantity.EXTERNAL_TEMPERATURE, Unit.CELSIUS, new BigDecimal("12.9"),
                    MeasurementFunction.INSTANTANEOUS, 0, 0, 0, T0, at, 0, null), at));
        }
        String key = Verdict.keyOf(g.get(0).reading().measurementKey(), g.get(0).reading().value());
        List<HeadEnd.Arrival> a = List.of(
                new HeadEnd.Arrival(new GatewaySeq("gw", 1), key, T0.plusMillis(2_300), T0.plusMillis(2_010)),
                new HeadEnd.Arrival(new GatewaySeq("gw", 2), key, T0.plusMillis(4_300), T0.plusMillis(4_010)));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L), T0, List.of(), Duration.ZERO, List.of(), 0);
        assertEquals(1, f.neverDelivered());
        assertEquals(300, f.maxLatencyMs(), "each arrival matched to its own telegram, not to the oldest");
        assertEquals(List.of(METER + " external_temperature=12.9 generated " + T0), f.unexcusedSample());
    }

    @Test
    void liveLatency_countsOnlyReadingsGeneratedWhileTheBacklogDrains() {
        List<Verdict.Generated> g = new ArrayList<>();
        List<HeadEnd.Arrival> a = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            g.add(gen(i));
            boolean duringOutage = i >= 10 && i < 20;
            boolean justAfter = i >= 20 && i < 25; // made during the reconnect: late, but live
            a.add(arrival(g.get(i), i + 1, duringOutage ? 30_000 : justAfter ? 7_000 : 50));
        }
        // the backlog (generated up to 19 s) is drained when its last reading arrives at 49 s
        Accounting.Window outage = new Accounting.Window(T0.plusSeconds(10), T0.plusSeconds(19));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(), T0, List.of(), Duration.ZERO, List.of(outage), 0);
        assertEquals(30_000, f.p99LatencyMs());
        assertEquals(30, f.liveReadings(), "generated at 20..49 s: after the outage, before the backlog was delivered");
        assertEquals(7_000, f.liveP99LatencyMs());
    }

    @Test
    void liveLatency_noFault_noLiveReadings() {
        List<Verdict.Generated> g = new ArrayList<>();
        List<HeadEnd.Arrival> a = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            g.add(gen(i));
            a.add(arrival(g.get(i), i + 1, 50));
        }
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(), T0, List.of(), Duration.ZERO, List.of(), 0);
        assertEquals(0, f.liveReadings());
    }

    private static Verdict.Generated genOf(MeterId meter, int i) {
        Instant at = T0.plusSeconds(i);
        return new Verdict.Generated(new Reading(meter, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(i), MeasurementFunction.INSTANTANEOUS,
                0, 0, 0, at, at, 0, null), at);
    }

    @Test
    void wrongKeyMeter_neverDelivered_isExcused_andAnyArrivalFromItIsCounted() {
        MeterId locked = MeterId.of("wmbus", "DME", "50000001");
        List<Verdict.Generated> g = List.of(gen(0), gen(1), genOf(locked, 0), genOf(locked, 1));
        Accounting.Excuse wrongKey = new Accounting.Excuse(Accounting.Reason.WRONG_KEY, locked.toString(),
                new Accounting.Window(Instant.MIN, Instant.MAX));
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(0), 1, 100), arrival(g.get(1), 2, 100));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L), T0, List.of(), Duration.ZERO, List.of(), 0, List.of(wrongKey));
        assertEquals(2, f.neverDelivered());
        assertEquals(2, f.wrongKey());
        assertEquals(0, f.lost());
        assertEquals(0, f.wrongKeyDelivered());

        // a reading of that meter arriving anyway (a garbage decryption) is counted, matched or not
        HeadEnd.Arrival garbage = new HeadEnd.Arrival(new GatewaySeq("gw", 3), Verdict.keyOf(genOf(locked, 7).reading().measurementKey(),
                new BigDecimal("123456.789")), T0.plusSeconds(8), T0.plusSeconds(7));
        Accounting.Figures withGarbage = Accounting.of("gw", g, List.of(a.get(0), a.get(1), garbage), 0, Set.of(1L, 2L, 3L), T0,
                List.of(), Duration.ZERO, List.of(), 0, List.of(wrongKey));
        assertEquals(1, withGarbage.wrongKeyDelivered());
        assertEquals(1, withGarbage.duplicatesByMeasurement(), "and it matches nothing generated");
    }

    @Test
    void answeredLate_excusesOnlyThatMeter_insideItsWindow() {
        MeterId late = MeterId.of("mbus", "ELS", "10000002");
        List<Verdict.Generated> g = List.of(genOf(late, 5), genOf(late, 50), gen(6));
        Accounting.Excuse excuse = new Accounting.Excuse(Accounting.Reason.ANSWERED_LATE, late.toString(),
                new Accounting.Window(T0, T0.plusSeconds(10)));
        Accounting.Figures f = Accounting.of("gw", g, List.of(), 0, Set.of(), T0, List.of(), Duration.ZERO, List.of(), 0, List.of(excuse));
        assertEquals(3, f.neverDelivered());
        assertEquals(1, f.answeredLate(), "only the reading generated inside the window");
        assertEquals(2, f.lost(), "the late meter's reading after the window and the other meter's reading");
    }

    @Test
    void figures_countOutOfOrderPerMeterSeries() {
        List<Verdict.Generated> g = List.of(gen(0), gen(60), gen(120));
        // the backlog (seq 1, 2) arrives after the live reading (seq 3)
        List<HeadEnd.Arrival> a = List.of(arrival(g.get(2), 3, 100), arrival(g.get(0), 1, 200_000), arrival(g.get(1), 2, 200_000));
        Accounting.Figures f = Accounting.of("gw", g, a, 0, Set.of(1L, 2L, 3L), T0, List.of(), Duration.ZERO, List.of(), 0);
        assertEquals(0, f.outOfOrder());
        assertEquals(2, f.outOfOrderByArrival());
    }
}
