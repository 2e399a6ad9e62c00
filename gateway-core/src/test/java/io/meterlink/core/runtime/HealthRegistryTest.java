package io.meterlink.core.runtime;

import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.status.StaleMeter;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Health;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthRegistryTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final HealthRegistry registry = new HealthRegistry(clock, Duration.ofMinutes(15), 100);
    private static final MeterId A = MeterId.of("mbus:KAM:00000001");
    private static final MeterId B = MeterId.of("mbus:KAM:00000002");

    @Test
    void meterHeard_recordsLastSeenAndRssi() {
        Health h = registry.forSource("heat", Duration.ofMinutes(1));
        h.meterHeard(A, -80);
        clock.advance(Duration.ofSeconds(10));
        h.meterHeard(A, -75);
        HealthRegistry.MeterHealth m = registry.meter(A).orElseThrow();
        assertEquals(clock.instant(), m.lastSeen());
        assertEquals(-75, m.rssiDbm());
        assertEquals("heat", m.source());
        assertEquals(1, registry.metersHeard());
    }

    @Test
    void meter_becomesStale_afterThreeExpectedIntervals() {
        Health h = registry.forSource("heat", Duration.ofMinutes(1));
        h.meterHeard(A, null);
        h.meterHeard(B, null);
        clock.advance(Duration.ofMinutes(2));
        h.meterHeard(B, null);
        clock.advance(Duration.ofSeconds(61));
        assertEquals(List.of(new StaleMeter.Overdue(A)), registry.staleMeters(), "A unheard for 3m1s > 3 x 1m; B for 61s");
        h.meterHeard(A, null);
        assertEquals(List.of(), registry.staleMeters());
    }

    @Test
    void silentMeter_isStale_untilItsReportExpires() {
        Health h = registry.forSource("bus", Duration.ofMinutes(1));
        h.meterSilent("ignored", "primary 5");
        assertEquals(List.of(new StaleMeter.Silent("bus", "primary 5")), registry.staleMeters());
        assertEquals("bus/primary 5", registry.staleMeters().get(0).text());
        clock.advance(Duration.ofMinutes(2));
        h.meterSilent("ignored", "primary 5");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(new StaleMeter.Silent("bus", "primary 5")), registry.staleMeters(), "re-reported 2 min ago: still silent");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(), registry.staleMeters(), "no report for 3 intervals: the meter answers again");
    }

    @Test
    void badInput_isCountedBySourceAndKind() {
        registry.forSource("a", Duration.ofMinutes(1)).badInput("x", DecodeException.Kind.CHECKSUM);
        registry.forSource("a", Duration.ofMinutes(1)).badInput("x", DecodeException.Kind.CHECKSUM);
        registry.forSource("b", Duration.ofMinutes(1)).badInput("x", DecodeException.Kind.CHECKSUM);
        registry.forSource("b", Duration.ofMinutes(1)).badInput("x", DecodeException.Kind.NO_KEY);
        assertEquals(BadInputCounts.of(Map.of(DecodeException.Kind.CHECKSUM, 3L, DecodeException.Kind.NO_KEY, 1L)), registry.badInputByKind());
        assertEquals(3L, registry.badInputByKind().get(DecodeException.Kind.CHECKSUM));
        assertEquals(0L, registry.badInputByKind().get(DecodeException.Kind.WRONG_KEY));
        assertEquals(4L, registry.badInputByKind().total());
        assertEquals(Map.of("checksum", 3L, "no_key", 1L), registry.badInputByKind().byName());
        assertEquals(Map.of("a", Map.of("checksum", 2L), "b", Map.of("checksum", 1L, "no_key", 1L)), registry.badInputBySource());
    }

    @Test
    void transportErrors_areCountedPerSource() {
        Health h = registry.forSource("tcp1", Duration.ofMinutes(1));
        h.transportError("x", "connection refused");
        h.transportError("x", "connection reset");
        assertEquals(Map.of("tcp1", 2L), registry.transportErrors());
        assertEquals("connection reset", registry.lastTransportError("tcp1").orElseThrow());
    }

    @Test
    void trackedMeters_areBounded_forgettingTheOldest() {
        HealthRegistry small = new HealthRegistry(clock, Duration.ofMinutes(15), 3);
        for (int i = 1; i <= 5; i++) {
            small.meterHeard(MeterId.of("wmbus:ABC:" + i), null);
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(3, small.metersHeard());
        assertTrue(small.meter(MeterId.of("wmbus:ABC:1")).isEmpty());
        assertTrue(small.meter(MeterId.of("wmbus:ABC:5")).isPresent());
    }
}
