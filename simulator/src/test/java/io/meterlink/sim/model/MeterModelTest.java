package io.meterlink.sim.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MeterModelTest {
    private static final Instant START = Instant.parse("2026-03-02T00:00:00Z"); // local midnight at UTC+1 is 23:00Z
    private static final ZoneOffset CET = ZoneOffset.ofHours(1);

    private static Instant local(String dayAndTime) {
        return java.time.LocalDateTime.parse(dayAndTime).toInstant(CET);
    }

    /** Property: for random instants in order, a model's total never falls unless it says it may. */
    @Test
    void everyNamedModel_totalNeverFalls_unlessItSaysSo() {
        Random seeds = new Random(42);
        for (int round = 0; round < 20; round++) {
            long seed = seeds.nextLong();
            Random r = new Random(seed);
            for (String name : MeterModels.NAMES) {
                MeterModel m = MeterModels.named(name, START, CET, r.nextInt(10_000), Duration.ofMinutes(r.nextInt(3000)));
                List<Instant> ts = new ArrayList<>();
                for (int i = 0; i < 500; i++) ts.add(START.minusSeconds(3600).plusMillis((long) (r.nextDouble() * 4 * 86_400_000L)));
                ts.sort(null);
                long prev = -1;
                boolean fell = false;
                for (Instant t : ts) {
                    MeterModel.Registers reg = m.at(t);
                    assertTrue(reg.volumeLitres() >= 0);
                    assertEquals(reg, m.at(t), "a model is a pure function of the instant");
                    if (reg.volumeLitres() < prev) fell = true;
                    prev = reg.volumeLitres();
                }
                if (!m.totalMayFall()) assertFalse(fell, name + " total fell (seed " + seed + ")");
            }
        }
    }

    @Test
    void dailyProfile_nightIsFlat_morningPeakAboveMidday_dayTotalExact() {
        DailyProfile m = DailyProfile.household(START, 5_000, CET, 100);
        assertEquals(m.at(local("2026-03-03T01:00")).volumeLitres(), m.at(local("2026-03-03T05:59:59")).volumeLitres(), "no use at night");
        assertTrue(m.at(local("2026-03-03T07:30")).flowLitresPerHour() > m.at(local("2026-03-03T10:30")).flowLitresPerHour());
        assertTrue(m.at(local("2026-03-03T19:30")).flowLitresPerHour() > m.at(local("2026-03-03T15:30")).flowLitresPerHour());
        long day = m.at(local("2026-03-04T00:00")).volumeLitres() - m.at(local("2026-03-03T00:00")).volumeLitres();
        assertEquals(390, day);
        assertEquals(5_000, m.at(START.minusSeconds(1)).volumeLitres(), "before installation the start total");
    }

    @Test
    void leak_showsAsConstantNightFlow() {
        MeterModel m = new Leak(DailyProfile.household(START, 0, CET, 100), START, 20);
        long night = m.at(local("2026-03-03T05:00")).volumeLitres() - m.at(local("2026-03-03T01:00")).volumeLitres();
        assertEquals(80, night, "4 h × 20 l/h while the household sleeps");
        assertEquals(20, m.at(local("2026-03-03T03:00")).flowLitresPerHour());
    }

    @Test
    void reverseFlow_runsRegisterBack_thenRisesAgain_neverBelowZero() {
        Instant from = START.plus(Duration.ofHours(12));
        MeterModel m = new ReverseFlow(new ConstantFlow(START, 1_000, 100), from, Duration.ofHours(1), 300);
        assertTrue(m.totalMayFall());
        long before = m.at(from).volumeLitres();
        assertEquals(before + 100 - 300, m.at(from.plus(Duration.ofHours(1))).volumeLitres(), "net -200 l over the hour");
        assertEquals(-200, m.at(from.plusSeconds(60)).flowLitresPerHour());
        assertEquals(100, m.at(from.plus(Duration.ofHours(2))).flowLitresPerHour());
        assertTrue(m.at(from.plus(Duration.ofHours(3))).volumeLitres() > m.at(from.plus(Duration.ofHours(2))).volumeLitres());
        MeterModel drain = new ReverseFlow(new ConstantFlow(START, 10, 0), START, Duration.ofHours(5), 1_000);
        assertEquals(0, drain.at(START.plus(Duration.ofHours(2))).volumeLitres());
    }

    @Test
    void stuckRegister_freezesVolume_keepsAnsweringAndClock() {
        Instant from = START.plus(Duration.ofHours(3));
        MeterModel m = new StuckRegister(new ConstantFlow(START, 0, 60), from);
        assertEquals(180, m.at(from.plus(Duration.ofDays(2))).volumeLitres());
        assertEquals(0, m.at(from.plusSeconds(1)).flowLitresPerHour());
        assertTrue(m.answers(from.plus(Duration.ofDays(2))));
        assertEquals(from.plus(Duration.ofDays(2)), m.at(from.plus(Duration.ofDays(2))).meterTime());
    }

    @Test
    void silentFrom_answersBefore_neverAfter() {
        Instant from = START.plusSeconds(600);
        MeterModel m = new SilentFrom(new ConstantFlow(START, 0, 60), from);
        assertTrue(m.answers(from.minusMillis(1)));
        assertFalse(m.answers(from));
        assertFalse(m.answers(from.plus(Duration.ofDays(30))));
    }

    @Test
    void clockDrift_offsetGrowsByPpm() {
        ClockDrift m = new ClockDrift(new ConstantFlow(START, 0, 60), START, 500);
        Instant day = START.plus(Duration.ofDays(1));
        assertEquals(day.plusMillis(43_200), m.at(day).meterTime(), "500 ppm of 86,400 s is 43.2 s");
        assertEquals(Duration.ZERO, m.offset(START));
        assertEquals(Duration.ofMillis(-8_640), new ClockDrift(new ConstantFlow(START, 0, 0), START, -100).offset(day));
    }

    @Test
    void named_unknownName_throwsNamingTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MeterModels.named("gas", START, CET, 0, Duration.ZERO));
        assertTrue(e.getMessage().contains("water"), e.getMessage());
    }

    @Test
    void named_fleetMetersDiffer() {
        MeterModel a = MeterModels.named("water", START, CET, 0, Duration.ZERO);
        MeterModel b = MeterModels.named("water", START, CET, 1, Duration.ZERO);
        Instant t = START.plus(Duration.ofDays(1));
        assertNotEquals(a.at(t).volumeLitres(), b.at(t).volumeLitres());
    }
}
