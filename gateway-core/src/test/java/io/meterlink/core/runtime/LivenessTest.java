package io.meterlink.core.runtime;

import io.meterlink.core.api.driver.Heartbeat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LivenessTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Liveness liveness = new Liveness(now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private List<String> stuck() {
        return liveness.stuck().stream().map(Liveness.Stuck::loop).toList();
    }

    @Test
    void aLoopThatKeepsBeating_isNeverStuck() {
        Heartbeat h = liveness.register("uplink");
        for (int i = 0; i < 100; i++) {
            h.beat();
            advance(Duration.ofSeconds(29));
            assertEquals(List.of(), stuck());
        }
    }

    @Test
    void aLoopSilentLongerThanTheWindow_isStuck_withItsSilence() {
        liveness.register("source:heat").beat();
        advance(Liveness.DEFAULT_WINDOW.plusSeconds(1));
        List<Liveness.Stuck> s = liveness.stuck();
        assertEquals(1, s.size());
        assertEquals("source:heat", s.get(0).loop());
        assertEquals(31, s.get(0).silentFor().toSeconds());
    }

    @Test
    void willBlock_extendsTheAllowance_once() {
        Heartbeat h = liveness.register("uplink");
        h.willBlock(Duration.ofSeconds(20));
        advance(Duration.ofSeconds(45));
        assertEquals(List.of(), stuck(), "20 s announced + 30 s window");
        advance(Duration.ofSeconds(10));
        assertEquals(List.of("uplink"), stuck());
        h.beat();
        advance(Duration.ofSeconds(31));
        assertEquals(List.of("uplink"), stuck(), "a plain beat resets the allowance");
    }

    @Test
    void aLoopNeverBeaten_orStopped_isNotWatched() {
        liveness.register("never");
        Heartbeat closed = liveness.register("closed");
        closed.beat();
        closed.stop();
        advance(Duration.ofMinutes(10));
        assertEquals(List.of(), stuck());
        assertEquals(List.of(), liveness.watched());
    }

    @Test
    void register_sameName_sameHeartbeat_andTheWindowHasAFloor() {
        assertSame(liveness.register("a"), liveness.register("a"));
        liveness.window(Duration.ofMillis(10));
        assertEquals(Liveness.MIN_WINDOW, liveness.window());
        liveness.register("a").beat();
        advance(Duration.ofSeconds(3));
        assertTrue(stuck().contains("a"));
    }
}
