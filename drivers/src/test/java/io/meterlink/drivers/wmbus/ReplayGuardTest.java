package io.meterlink.drivers.wmbus;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ReplayGuard}: what counts as the same telegram, its window per meter, and its bound on meters. */
class ReplayGuardTest {
    private static final String METER = "wmbus:KAM:12345678";

    private static byte[] frame(int n) { return new byte[] {0x44, (byte) n, (byte) (n >> 8), 0x16}; }

    @Test
    void sameAccessNumberAndContent_isAReplay_eitherDiffering_isNot() {
        ReplayGuard g = new ReplayGuard();
        assertFalse(g.isReplay(METER, 7, frame(1)));
        assertTrue(g.isReplay(METER, 7, frame(1)), "the same telegram heard again (repeater, second dongle)");
        assertFalse(g.isReplay(METER, 7, frame(2)), "same access number, other content: a new telegram (the counter wrapped)");
        assertFalse(g.isReplay(METER, 8, frame(1)), "same content, other access number: a new telegram (unchanged values)");
        assertFalse(g.isReplay(METER, -1, frame(1)), "no access number is not access number 7");
        assertTrue(g.isReplay(METER, -1, frame(1)));
    }

    @Test
    void window_isTheLastEightTelegramsOfEachMeter() {
        ReplayGuard g = new ReplayGuard();
        for (int i = 0; i < ReplayGuard.PER_METER; i++) assertFalse(g.isReplay(METER, i, frame(i)));
        assertTrue(g.isReplay(METER, 0, frame(0)), "the oldest of the last 8 is still remembered");
        assertFalse(g.isReplay(METER, 100, frame(100)), "a ninth telegram pushes the oldest out");
        assertFalse(g.isReplay(METER, 0, frame(0)), "so the oldest is no longer known");
        assertTrue(g.isReplay(METER, 100, frame(100)));
    }

    @Test
    void memory_isPerMeter() {
        ReplayGuard g = new ReplayGuard();
        assertFalse(g.isReplay(METER, 1, frame(1)));
        assertFalse(g.isReplay("wmbus:KAM:87654321", 1, frame(1)), "another meter's identical telegram is not a replay");
        for (int i = 0; i < 3 * ReplayGuard.PER_METER; i++) g.isReplay("wmbus:KAM:87654321", 10 + i, frame(10 + i));
        assertTrue(g.isReplay(METER, 1, frame(1)), "another meter's traffic does not push this meter's telegrams out");
    }

    @Test
    void meters_areBounded_leastRecentlyHeardForgottenFirst() {
        ReplayGuard g = new ReplayGuard();
        assertFalse(g.isReplay(METER, 1, frame(1)));
        assertFalse(g.isReplay("wmbus:KAM:00000001", 1, frame(1)));
        for (int i = 2; i < ReplayGuard.MAX_METERS; i++) {
            g.isReplay(String.format("wmbus:KAM:%08d", i), 1, frame(1));
            if (i == ReplayGuard.MAX_METERS / 2) assertTrue(g.isReplay(METER, 1, frame(1)), "heard again: now recently used");
        }
        // MAX_METERS meters are known; one more evicts the least recently heard: meter 00000001, not METER
        assertFalse(g.isReplay("wmbus:KAM:99999999", 1, frame(1)));
        assertTrue(g.isReplay(METER, 1, frame(1)), "recently heard meters are kept");
        assertFalse(g.isReplay("wmbus:KAM:00000001", 1, frame(1)), "the least recently heard meter was forgotten");
    }
}
