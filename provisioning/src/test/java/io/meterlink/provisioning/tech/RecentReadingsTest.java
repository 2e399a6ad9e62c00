package io.meterlink.provisioning.tech;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentReadingsTest {
    private static Reading volume(MeterId m, String v) {
        return Reading.of(m, Quantity.VOLUME, Unit.M3, new BigDecimal(v), null, Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test void latest_keepsTheNewestValuePerRegister() throws Exception {
        RecentReadings recent = new RecentReadings(10);
        List<Reading> passed = new ArrayList<>();
        var sink = recent.tee(passed::addAll);
        sink.accept(List.of(volume(TechFixtures.METER, "1.0")));
        sink.accept(List.of(volume(TechFixtures.METER, "2.0")));
        assertEquals(2, passed.size(), "every reading reaches the downstream sink");
        List<Reading> latest = recent.latest(TechFixtures.METER);
        assertEquals(1, latest.size());
        assertEquals(new BigDecimal("2.0"), latest.get(0).value());
    }

    @Test void meters_areBounded_oldestForgotten() {
        RecentReadings recent = new RecentReadings(2);
        MeterId a = MeterId.of("wmbus:KAM:00000001"), b = MeterId.of("wmbus:KAM:00000002"), c = MeterId.of("wmbus:KAM:00000003");
        recent.record(List.of(volume(a, "1")));
        recent.record(List.of(volume(b, "1")));
        recent.record(List.of(volume(c, "1")));
        assertTrue(recent.latest(a).isEmpty());
        assertEquals(1, recent.latest(c).size());
    }
}
