package io.meterlink.sim.scenario;

import java.util.ArrayList;
import java.util.List;

/** Holds a result against a scenario's invariants; names each failure as the file's key with the figure. Stateless. */
public final class InvariantCheck {
    private InvariantCheck() {
    }

    /** The failed invariants, e.g. {@code lost: 3 > 0}; empty when all hold. */
    public static List<String> failures(ScenarioSpec.Invariants inv, ScenarioResult r) {
        Accounting.Figures f = r.figures();
        List<String> out = new ArrayList<>();
        max(out, "lost", inv.lost(), f.lost());
        max(out, "lost_accepted", inv.lostAccepted(), f.lostAccepted());
        max(out, "max_duplicates_by_measurement", inv.maxDuplicatesByMeasurement(), f.duplicatesByMeasurement());
        max(out, "max_duplicates_by_seq", inv.maxDuplicatesBySeq(), f.duplicatesBySeq());
        max(out, "p99_latency_ms_max", inv.p99LatencyMsMax(), f.p99LatencyMs());
        max(out, "live_p99_latency_ms_max", inv.liveP99LatencyMsMax(), f.liveP99LatencyMs());
        if (inv.liveP99LatencyMsMax() != null && f.liveReadings() == 0) {
            out.add("live_p99_latency_ms_max: no live readings (none generated while a backlog drained)");
        }
        min(out, "min_delivered", inv.minDelivered(), f.delivered());
        max(out, "max_evictions", inv.maxEvictions(), r.evictions());
        min(out, "min_bad_frames", inv.minBadFrames(), r.badFrames());
        max(out, "max_peak_rss_mib", inv.maxPeakRssMib(), r.peakRssKib() < 0 ? 0 : r.peakRssKib() / 1024);
        max(out, "max_out_of_order", inv.maxOutOfOrder(), f.outOfOrder());
        max(out, "max_wrong_key_delivered", inv.maxWrongKeyDelivered(), f.wrongKeyDelivered());
        min(out, "min_key_errors", inv.minKeyErrors(), r.keyErrors());
        max(out, "max_eviction_order_violations", inv.maxEvictionOrderViolations(), r.evictionOrderViolations());
        min(out, "min_evictions", inv.minEvictions(), r.evictions());
        return out;
    }

    private static void max(List<String> out, String name, Long bound, long actual) {
        if (bound != null && actual > bound) out.add(name + ": " + actual + " > " + bound);
    }

    private static void min(List<String> out, String name, Long bound, long actual) {
        if (bound != null && actual < bound) out.add(name + ": " + actual + " < " + bound);
    }
}
