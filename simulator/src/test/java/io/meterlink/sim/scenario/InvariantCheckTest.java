package io.meterlink.sim.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvariantCheckTest {
    private static ScenarioResult result(long lost, long p99, long delivered, long bad) {
        Accounting.Figures f = new Accounting.Figures(delivered + lost, delivered + lost, delivered, lost, lost, lost, 0, 0, 0, 0,
                p99 / 2, p99, p99, delivered, p99, List.of(), 0, 0, 0, 0, 0);
        return new ScenarioResult("t", f, 10, 0, bad, 100_000, 1, List.of());
    }

    @Test
    void everyBoundHeld_noFailure() {
        ScenarioSpec.Invariants inv = new ScenarioSpec.Invariants(0L, 0L, 0L, null, 5000L, 5000L, 10L, 0L, 1L, 200L);
        assertEquals(List.of(), InvariantCheck.failures(inv, result(0, 400, 100, 3)));
    }

    @Test
    void failedBounds_areNamedAsInTheFile_withTheFigure() {
        ScenarioSpec.Invariants inv = new ScenarioSpec.Invariants(0L, null, null, null, 0L, null, 1000L, null, 1L, null);
        List<String> failed = InvariantCheck.failures(inv, result(2, 400, 100, 0));
        assertEquals(List.of("lost: 2 > 0", "p99_latency_ms_max: 400 > 0", "min_delivered: 100 < 1000", "min_bad_frames: 0 < 1"), failed);
    }

    @Test
    void json_isOneLine_withTheIssueFigures_andTheFailedNames() {
        ScenarioResult r = result(1, 400, 100, 3).withFailed(List.of("lost: 1 > 0"));
        String json = r.toJson();
        assertFalse(r.passed());
        assertFalse(json.contains("\n"));
        for (String key : List.of("\"generated\":101", "\"accepted\":101", "\"delivered\":100", "\"lost\":1", "\"duplicates\":0",
                "\"p50_latency_ms\":200", "\"p99_latency_ms\":400", "\"max_buffer_depth\":10", "\"evictions\":0",
                "\"bad_frames\":3", "\"gateway_peak_rss_kib\":100000", "\"failed_invariants\":[\"lost: 1 > 0\"]")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
    }

    @Test
    void orderKeyAndEvictionBounds_areNamed() {
        Accounting.Figures f = new Accounting.Figures(10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 10, 1, List.of(), 4, 0, 1, 2, 7);
        ScenarioResult r = new ScenarioResult("t", f, 10, 5, 3, 100_000, 1, List.of(), java.util.Map.of("wrong_key", 3L), 1);
        ScenarioSpec.Invariants inv = new ScenarioSpec.Invariants(null, null, null, null, null, null, null, null, null, null,
                0L, 0L, 10L, 0L, 6L);
        assertEquals(List.of("max_out_of_order: 2 > 0", "max_wrong_key_delivered: 1 > 0", "min_key_errors: 3 < 10",
                "max_eviction_order_violations: 1 > 0", "min_evictions: 5 < 6"), InvariantCheck.failures(inv, r));
        String json = r.toJson();
        for (String key : List.of("\"out_of_order\":2", "\"out_of_order_by_arrival\":7", "\"wrong_key\":4", "\"wrong_key_delivered\":1",
                "\"key_errors\":3", "\"bad_input\":{\"wrong_key\":3}", "\"eviction_order_violations\":1")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
    }
}
