package io.meterlink.core.api;

import io.meterlink.core.api.config.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelTest {
    private static final Instant T = Instant.parse("2026-11-26T08:00:00Z");
    private static final MeterId KAM = MeterId.of("wmbus:KAM:12345678");

    @Test
    void meterId_parsesAndPrintsTheSameText() {
        MeterId id = MeterId.of("mbus:LUG:00042017");
        assertEquals("mbus", id.family());
        assertEquals("LUG", id.manufacturer());
        assertEquals("00042017", id.id());
        assertEquals("mbus:LUG:00042017", id.toString());
        assertEquals(id, MeterId.of("mbus", "LUG", "00042017"));
        assertNotEquals(id, MeterId.of("wmbus", "LUG", "00042017"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mbus", "mbus:KAM", "mbus:KAM:1:2", "MBUS:KAM:1", "1bus:KAM:1", "mbus::1", "mbus:KAM:",
            "mbus:K M:1", "mbus:KAM:12/34", "mbus:KAM:+", "mbus:KAM:#", "mbus:ABCDEFGHIJKLMNOPQ:1",
            "mbus:KAM:12345678901234567890123456789012345678901"})
    void meterId_garbage_throws(String text) {
        assertThrows(IllegalArgumentException.class, () -> MeterId.of(text));
    }

    @Test
    void reading_unitMustSuitTheQuantity() {
        assertThrows(IllegalArgumentException.class,
                () -> Reading.of(KAM, Quantity.VOLUME, Unit.WH, BigDecimal.ONE, null, T));
        assertThrows(IllegalArgumentException.class,
                () -> Reading.of(KAM, Quantity.FLOW_TEMPERATURE, Unit.KELVIN, BigDecimal.ONE, null, T));
        Reading ok = Reading.of(KAM, Quantity.ENERGY, Unit.J, new BigDecimal("3600"), null, T);
        assertEquals(Unit.J, ok.unit());
    }

    @Test
    void reading_rejectsMissingPartsAndNegativeIndexes() {
        assertThrows(NullPointerException.class, () -> Reading.of(null, Quantity.VOLUME, Unit.M3, BigDecimal.ONE, null, T));
        assertThrows(NullPointerException.class, () -> Reading.of(KAM, Quantity.VOLUME, Unit.M3, null, null, T));
        assertThrows(NullPointerException.class, () -> Reading.of(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Reading(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE,
                MeasurementFunction.INSTANTANEOUS, -1, 0, 0, null, T, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new Reading(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE,
                MeasurementFunction.INSTANTANEOUS, 0, 0, 0, null, T, 0, 999));
    }

    @Test
    void measurementKey_usesMeterTime_elseReceiveTime_andIgnoresTheValue() {
        Instant meterTime = T.minusSeconds(60);
        Reading a = Reading.of(KAM, Quantity.VOLUME, Unit.M3, new BigDecimal("1.5"), meterTime, T);
        Reading sameHeardElsewhere = Reading.of(KAM, Quantity.VOLUME, Unit.M3, new BigDecimal("1.5"), meterTime, T.plusSeconds(3));
        assertEquals(a.measurementKey(), sameHeardElsewhere.measurementKey());
        assertTrue(a.measurementKey().endsWith(meterTime.toString()));
        Reading noMeterTime = Reading.of(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE, null, T);
        assertTrue(noMeterTime.measurementKey().endsWith(T.toString()));
        Reading otherStorage = new Reading(KAM, Quantity.VOLUME, Unit.M3, new BigDecimal("1.5"),
                MeasurementFunction.INSTANTANEOUS, 1, 0, 0, meterTime, T, 0, null);
        assertNotEquals(a.measurementKey(), otherStorage.measurementKey());
    }

    @Test
    void priority_billingRegistersLast_diagnosticsFirst() {
        assertEquals(Priority.BILLING, Priority.of(Reading.of(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE, null, T)));
        assertEquals(Priority.BILLING, Priority.of(Reading.of(KAM, Quantity.ENERGY, Unit.WH, BigDecimal.ONE, null, T)));
        assertEquals(Priority.NORMAL, Priority.of(Reading.of(KAM, Quantity.POWER, Unit.W, BigDecimal.ONE, null, T)));
        assertEquals(Priority.DIAGNOSTIC, Priority.of(Reading.of(KAM, Quantity.OPERATING_TIME, Unit.S, BigDecimal.ONE, null, T)));
        Reading maxVolume = new Reading(KAM, Quantity.VOLUME, Unit.M3, BigDecimal.ONE, MeasurementFunction.MAXIMUM, 0, 0, 0, null, T, 0, null);
        assertEquals(Priority.NORMAL, Priority.of(maxVolume), "only the register itself is billing");
        assertTrue(Priority.DIAGNOSTIC.ordinal() < Priority.NORMAL.ordinal() && Priority.NORMAL.ordinal() < Priority.BILLING.ordinal());
    }

    @Test
    void wireNames_roundTrip() {
        for (Quantity q : Quantity.values()) assertEquals(q, Quantity.ofWireName(q.wireName()));
        for (Unit u : Unit.values()) assertEquals(u, Unit.ofSymbol(u.symbol()));
        for (MeasurementFunction f : MeasurementFunction.values()) assertEquals(f, MeasurementFunction.ofWireName(f.wireName()));
        assertEquals("flow_temperature", Quantity.FLOW_TEMPERATURE.wireName());
        assertEquals("°C", Unit.CELSIUS.symbol());
    }

    @Test
    void secret_neverPrintsItsValue() {
        Secret s = Secret.of("00112233445566778899AABBCCDDEEFF");
        assertFalse(s.toString().contains("0011"));
        assertEquals(16, s.revealHex().length);
        assertArrayEquals(new byte[] {0x00, 0x11}, Secret.of("0011").revealHex());
        assertThrows(IllegalArgumentException.class, () -> Secret.of("0G").revealHex());
    }
}
