package io.meterlink.drivers.pulse;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebouncerTest {
    private static final long MS = 1_000_000L;

    /** Feeds edges at the given millisecond times (alternating active/idle from active), then settles far later; returns pulses counted. */
    private static int pulses(Debouncer d, long... activeIdleTimesMs) {
        int n = 0;
        boolean active = true;
        for (long t : activeIdleTimesMs) {
            if (d.edge(active, t * MS, 7)) n++;
            active = !active;
        }
        long end = activeIdleTimesMs[activeIdleTimesMs.length - 1] * MS + 10_000 * MS;
        if (d.settle(end)) n++;
        return n;
    }

    @Test
    void cleanS0Pulse_30msWide_countsOnce() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        assertEquals(1, pulses(d, 100, 130));
        assertEquals(7, d.acceptedTag());
        assertEquals(0, d.rejected());
    }

    @Test
    void bounceAtBothEdges_countsOnce_andCountsTheBounce() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        // active 100, bounce idle 101, active 102, idle 103, active 104 ... held to 140, then idle with bounce at the end
        assertEquals(1, pulses(d, 100, 101, 102, 103, 104, 140, 141, 142));
        assertEquals(6, d.rejected(), "the edges whose level did not hold are counted as bounce");
    }

    @Test
    void spikeShorterThanDebounce_isNotAPulse() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        assertEquals(0, pulses(d, 100, 110));
    }

    @Test
    void pausesShorterThanDebounce_joinTwoPulsesIntoOne() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        assertEquals(1, pulses(d, 100, 140, 150, 190));
    }

    @Test
    void tenPulsesAtS0MinimumTiming_countTen() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        long[] times = new long[20];
        for (int i = 0; i < 10; i++) {
            times[2 * i] = 1000 + 60L * i;      // 30 ms on
            times[2 * i + 1] = 1030 + 60L * i;  // 30 ms off
        }
        assertEquals(10, pulses(d, times));
    }

    @Test
    void activeLevel_heldBeyondLimit_isReportedStuck() {
        Debouncer d = new Debouncer(25 * MS, false, 0);
        d.edge(true, 100 * MS, 1);
        assertTrue(d.settle(200 * MS));
        assertFalse(d.activeLongerThan(1000 * MS, 900 * MS));
        assertTrue(d.activeLongerThan(1000 * MS, 1200 * MS));
        d.edge(false, 1300 * MS, 1);
        d.settle(1400 * MS);
        assertFalse(d.activeLongerThan(1000 * MS, 5000 * MS));
    }
}
