package io.meterlink.core.uplink;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    @Test
    void ceilingDoubles_untilMax_andResetStartsOver() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0.999999);
        assertEquals(1000, b.next().toMillis());
        assertEquals(2000, b.next().toMillis());
        assertEquals(4000, b.next().toMillis());
        assertEquals(8000, b.next().toMillis());
        assertEquals(10000, b.next().toMillis());
        assertEquals(10000, b.next().toMillis());
        b.reset();
        assertEquals(1000, b.next().toMillis());
    }

    @Test
    void fullJitter_drawsBetweenMinAndCeiling() {
        Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.0);
        for (int i = 0; i < 20; i++) assertEquals(1000, low.next().toMillis());
        Backoff mid = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
        mid.next();
        mid.next();
        long third = mid.next().toMillis(); // ceiling 4 s: 1 s + 0.5 * 3 s
        assertTrue(third >= 2400 && third <= 2600, "got " + third);
    }

    @Test
    void manyAttempts_neverOverflow() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofHours(6), () -> 0.999);
        Duration d = Duration.ZERO;
        for (int i = 0; i < 200; i++) d = b.next();
        assertTrue(d.compareTo(Duration.ofHours(6)) <= 0 && d.compareTo(Duration.ofHours(5)) > 0);
    }
}
