package io.meterlink.sim.headend;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VerdictTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final MeterId METER = MeterId.of("mbus:KAM:12345678");

    private static Verdict.Generated gen(String value, long atMs) {
        Reading r = Reading.of(METER, Quantity.VOLUME, Unit.M3, new BigDecimal(value), T0, T0);
        return new Verdict.Generated(r, T0.plusMillis(atMs));
    }

    private static HeadEnd.Arrival arrival(long seq, String value, long atMs) {
        Reading r = Reading.of(METER, Quantity.VOLUME, Unit.M3, new BigDecimal(value), T0, T0);
        return new HeadEnd.Arrival(new GatewaySeq("gw", seq), Verdict.keyOf(r.measurementKey(), new BigDecimal(value)), T0.plusMillis(atMs));
    }

    @Test
    void verdict_countsLostAndLatency() {
        List<Verdict.Generated> generated = List.of(gen("1.000", 0), gen("2", 0), gen("3", 0));
        Verdict v = Verdict.of(generated, List.of(arrival(1, "1", 100), arrival(2, "2.0", 300)), 0);
        assertEquals(3, v.generated());
        assertEquals(2, v.delivered());
        assertEquals(1, v.lost(), "value 3 never arrived");
        assertEquals(0, v.duplicatesByMeasurement());
        assertEquals(100, v.p50LatencyMs());
        assertEquals(300, v.maxLatencyMs());
    }

    @Test
    void verdict_sameValueTwice_isAMultiset() {
        List<Verdict.Generated> generated = List.of(gen("5", 0), gen("5", 10));
        Verdict once = Verdict.of(generated, List.of(arrival(1, "5", 50)), 0);
        assertEquals(1, once.lost());
        Verdict thrice = Verdict.of(generated, List.of(arrival(1, "5", 50), arrival(2, "5", 60), arrival(3, "5", 70)), 0);
        assertEquals(0, thrice.lost());
        assertEquals(1, thrice.duplicatesByMeasurement(), "a third seq for a value generated twice is re-stamped data");
    }
}
