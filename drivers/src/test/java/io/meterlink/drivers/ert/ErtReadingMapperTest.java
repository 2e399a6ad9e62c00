package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.drivers.testing.MapSettings;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Packets to readings (ids, units, multipliers, IDM intervals, R900 flags), repeats dropped, bad settings refused. */
class ErtReadingMapperTest {
    private static final Instant NOW = Instant.parse("2026-12-06T20:00:00Z");
    private final ErtReadingMapper mapper = new ErtReadingMapper(
            Map.of(ErtTypes.Commodity.ELECTRIC, new BigDecimal("1000"), ErtTypes.Commodity.WATER, new BigDecimal("0.001")),
            Map.of(MeterId.of("ert:12:777"), new BigDecimal("0.01")));

    private static ErtPacket scm(long id, int type, long consumption) throws Exception {
        return ErtCodec.parse(ErtProtocol.SCM, ErtCodec.encode(ErtProtocol.SCM, Map.of("id", id, "ert_type", (long) type, "consumption", consumption), new int[0]));
    }

    @Test
    void scm_electric_isEnergyInWh_times1000() throws Exception {
        List<Reading> r = mapper.toReadings(scm(60706301, 7, 7621974), NOW);
        assertEquals(1, r.size());
        assertEquals(MeterId.of("ert:7:60706301"), r.get(0).meter());
        assertEquals(Quantity.ENERGY, r.get(0).quantity());
        assertEquals(Unit.WH, r.get(0).unit());
        assertEquals(0, new BigDecimal("7621974000").compareTo(r.get(0).value()));
    }

    @Test
    void perMeterMultiplier_overridesTheCommodity_gasDefaultsToOne() throws Exception {
        assertEquals(0, new BigDecimal("1.5").compareTo(mapper.toReadings(scm(777, 12, 150), NOW).get(0).value()));
        Reading gas = mapper.toReadings(scm(778, 12, 150), NOW).get(0);
        assertEquals(Unit.M3, gas.unit());
        assertEquals(0, new BigDecimal("150").compareTo(gas.value()));
    }

    @Test
    void r900_flags_areStatusBits_andAnErrorFlagsReading() throws Exception {
        Map<String, Long> f = new HashMap<>(Map.of("id", 1111111111L, "unkn1", 163L, "consumption", 4555831L, "leak", 2L, "backflow", 1L));
        ErtPacket p = ErtCodec.parseR900(ErtProtocol.R900, ErtCodec.encodeR900(ErtProtocol.R900, f));
        List<Reading> r = mapper.toReadings(p, NOW);
        assertEquals(MeterId.of("ert:r900:1111111111"), r.get(0).meter());
        assertEquals(Unit.M3, r.get(0).unit());
        assertEquals(0, new BigDecimal("4555.831").compareTo(r.get(0).value()));
        assertEquals(ErtReadingMapper.LEAK | ErtReadingMapper.BACKFLOW, r.get(0).status());
        assertEquals(Quantity.ERROR_FLAGS, r.get(1).quantity());
        assertEquals(ErtReadingMapper.LEAK | ErtReadingMapper.BACKFLOW, r.get(1).value().intValue());
    }

    @Test
    void idm_intervals_areReadingsWithTheirOwnTime() throws Exception {
        int[] iv = new int[47];
        for (int i = 0; i < iv.length; i++) iv[i] = i + 1;
        Map<String, Long> f = Map.of("ert_serial", 33333333L, "ert_type", 7L, "last_consumption", 1978208L, "transmit_time_offset", 160L);
        ErtPacket p = ErtCodec.parse(ErtProtocol.IDM, ErtCodec.encode(ErtProtocol.IDM, f, iv));
        List<Reading> r = mapper.toReadings(p, NOW);
        assertEquals(48, r.size());
        Reading first = r.get(1), last = r.get(47);
        assertEquals(1, first.storage());
        assertEquals(NOW.minusSeconds(10), first.meterTime()); // 160/16 s after the interval ended
        assertEquals(0, new BigDecimal("1000").compareTo(first.value()));
        assertEquals(47, last.storage());
        assertEquals(NOW.minusSeconds(10).minus(Duration.ofMinutes(5 * 46)), last.meterTime());
    }

    @Test
    void idmIntervals_onlyThoseSinceThePreviousPacket_becomeReadings() throws Exception {
        IdmIntervals fresh = new IdmIntervals();
        int[] iv = new int[47];
        java.util.function.LongFunction<ErtPacket> idm = count -> {
            try {
                return ErtCodec.parse(ErtProtocol.IDM, ErtCodec.encode(ErtProtocol.IDM,
                        Map.of("ert_serial", 5L, "ert_type", 7L, "interval_count", count, "last_consumption", count), iv));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(47, fresh.fresh(idm.apply(254)));
        assertEquals(0, fresh.fresh(idm.apply(254)));  // the same interval again
        assertEquals(3, fresh.fresh(idm.apply(1)));    // 255, 0, 1: across the wrap
        assertEquals(47 + 1, mapper.toReadings(idm.apply(2), NOW, 47).size());
        assertEquals(1 + 1, mapper.toReadings(idm.apply(2), NOW, fresh.fresh(idm.apply(2))).size());
    }

    @Test
    void dedup_dropsRepeatsWithinTheWindowOnly() throws Exception {
        ErtDeduplicator d = new ErtDeduplicator(Duration.ofSeconds(60));
        ErtPacket p = scm(1, 7, 100);
        assertTrue(d.accept(p, NOW));
        assertFalse(d.accept(p, NOW.plusSeconds(30)));
        assertTrue(d.accept(scm(1, 7, 101), NOW.plusSeconds(31)));
        assertTrue(d.accept(p, NOW.plusSeconds(61)));
    }

    @Test
    void badSettings_areErrorsNamingTheKey() {
        MapSettings s = new MapSettings(Map.of("sample_rate", 1_000_000, "protocols", List.of("scm", "zigbee"), "gain", "loud",
                "multipliers", Map.of("water", "-1"), "meters", List.of(Map.of("id", "wmbus:KAM:1"))));
        assertNull(new ErtDriverFactory().configure(s));
        String all = String.join("\n", s.errors());
        for (String key : List.of("sample_rate", "protocols", "gain", "multipliers.water", "meters[0].id")) assertTrue(all.contains(key + ":"), all);
    }
}
