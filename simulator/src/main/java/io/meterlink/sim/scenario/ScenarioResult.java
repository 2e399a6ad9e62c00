package io.meterlink.sim.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one scenario run: the figures of {@link Accounting} plus what was sampled from the
 * gateway, and which invariants failed. Immutable.
 *
 * @param maxBufferDepth   deepest buffer seen (sampled from the database file about once a second)
 * @param evictions        readings evicted by the buffer cap, from the database's own counter
 * @param badFrames        bad input the gateway counted (sum of its status {@code bad_input}, every run)
 * @param peakRssKib       highest peak RSS ({@code VmHWM}) of any gateway run, KiB
 * @param gatewayRuns      how many gateway processes ran (1 + restarts)
 * @param badInput         bad input the gateway counted by kind ({@code checksum}, {@code truncated}, {@code wrong_key}, …), every run
 * @param evictionOrderViolations evicted readings that the buffer's policy (lowest priority first, oldest first) did not
 *                         name: a reading sorting before it stayed in the buffer ({@link EvictionAudit})
 * @param backlog          readings pre-filled into the buffer before the gateway started (0: none)
 * @param backlogDrainMs   from the gateway's launch until the last backlog reading arrived at the head-end; -1 when some
 *                         never did (or there was no backlog)
 * @param backlogAckedMs   from the gateway's launch until its buffer held no backlog reading (every one acknowledged by
 *                         the broker), sampled about once a second; -1 when never seen
 */
public record ScenarioResult(String scenario, Accounting.Figures figures, long maxBufferDepth, long evictions, long badFrames,
                             long peakRssKib, int gatewayRuns, List<String> failed, Map<String, Long> badInput,
                             long evictionOrderViolations, long backlog, long backlogDrainMs, long backlogAckedMs,
                             List<Map<String, Object>> attacks, List<Map<String, Object>> storageAlarms,
                             List<Map<String, Object>> pulses) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The same result with the storage-alarm timeline of a {@code disk_full} run. */
    public ScenarioResult withStorageAlarms(List<Map<String, Object>> timeline) {
        return new ScenarioResult(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, badInput,
                evictionOrderViolations, backlog, backlogDrainMs, backlogAckedMs, attacks, List.copyOf(timeline), pulses);
    }

    public ScenarioResult {
        failed = List.copyOf(failed);
        badInput = Map.copyOf(badInput);
        attacks = List.copyOf(attacks);
        pulses = List.copyOf(pulses);
    }

    /** The same result with the pulse meters' totals (generated, acknowledged, delivered register). */
    public ScenarioResult withPulses(List<Map<String, Object>> list) {
        return new ScenarioResult(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, badInput,
                evictionOrderViolations, backlog, backlogDrainMs, backlogAckedMs, attacks, storageAlarms, list);
    }

    /** A result without a hostile head-end's attacks nor a storage-alarm timeline. */
    public ScenarioResult(String scenario, Accounting.Figures figures, long maxBufferDepth, long evictions, long badFrames,
                          long peakRssKib, int gatewayRuns, List<String> failed, Map<String, Long> badInput,
                          long evictionOrderViolations, long backlog, long backlogDrainMs, long backlogAckedMs) {
        this(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, badInput,
                evictionOrderViolations, backlog, backlogDrainMs, backlogAckedMs, List.of(), null, List.of());
    }

    /** The same result with the hostile head-end's attacks and their outcomes ({@code HostileHeadEnd.Attack#toMap}). */
    public ScenarioResult withAttacks(List<Map<String, Object>> list) {
        return new ScenarioResult(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, badInput,
                evictionOrderViolations, backlog, backlogDrainMs, backlogAckedMs, list, storageAlarms, pulses);
    }

    /** A result without bad input by kind nor an eviction audit. */
    public ScenarioResult(String scenario, Accounting.Figures figures, long maxBufferDepth, long evictions, long badFrames,
                          long peakRssKib, int gatewayRuns, List<String> failed) {
        this(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, Map.of(), 0);
    }

    /** A result without a backlog. */
    public ScenarioResult(String scenario, Accounting.Figures figures, long maxBufferDepth, long evictions, long badFrames,
                          long peakRssKib, int gatewayRuns, List<String> failed, Map<String, Long> badInput,
                          long evictionOrderViolations) {
        this(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, failed, badInput,
                evictionOrderViolations, 0, -1, -1);
    }

    /** Wireless telegrams the gateway refused for a wrong key ({@code wrong_key} in its bad input). */
    public long keyErrors() {
        return badInput.getOrDefault("wrong_key", 0L);
    }

    public boolean passed() {
        return failed.isEmpty();
    }

    /** The same result naming the failed invariants. */
    public ScenarioResult withFailed(List<String> names) {
        List<String> all = new ArrayList<>(failed);
        all.addAll(names);
        return new ScenarioResult(scenario, figures, maxBufferDepth, evictions, badFrames, peakRssKib, gatewayRuns, all, badInput,
                evictionOrderViolations, backlog, backlogDrainMs, backlogAckedMs, attacks, storageAlarms, pulses);
    }

    /** One line of JSON (the scenario command's stdout). */
    public String toJson() {
        Accounting.Figures f = figures;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("passed", passed());
        m.put("generated", f.generated());
        m.put("accepted", f.accepted());
        m.put("delivered", f.delivered());
        m.put("lost", f.lost());
        m.put("lost_accepted", f.lostAccepted());
        Map<String, Object> families = new java.util.TreeMap<>();
        f.byFamily().forEach((name, fam) -> families.put(name, Map.of("generated", fam.generated(), "delivered", fam.delivered(), "lost", fam.lost())));
        m.put("by_family", families);
        m.put("never_delivered", f.neverDelivered());
        m.put("in_flight_at_kill", f.inFlightAtKill());
        m.put("not_heard", f.notHeard());
        m.put("wrong_key", f.wrongKey());
        m.put("answered_late", f.answeredLate());
        m.put("wrong_key_delivered", f.wrongKeyDelivered());
        m.put("duplicates", f.duplicatesBySeq() + f.duplicatesByMeasurement());
        m.put("duplicates_by_seq", f.duplicatesBySeq());
        m.put("duplicates_by_measurement", f.duplicatesByMeasurement());
        m.put("p50_latency_ms", f.p50LatencyMs());
        m.put("p99_latency_ms", f.p99LatencyMs());
        m.put("max_latency_ms", f.maxLatencyMs());
        m.put("live_readings", f.liveReadings());
        m.put("live_p99_latency_ms", f.liveP99LatencyMs());
        m.put("out_of_order", f.outOfOrder());
        m.put("out_of_order_by_arrival", f.outOfOrderByArrival());
        m.put("max_buffer_depth", maxBufferDepth);
        m.put("evictions", evictions);
        m.put("eviction_order_violations", evictionOrderViolations);
        m.put("bad_frames", badFrames);
        m.put("bad_input", new java.util.TreeMap<>(badInput));
        m.put("key_errors", keyErrors());
        m.put("gateway_peak_rss_kib", peakRssKib);
        m.put("gateway_runs", gatewayRuns);
        if (backlog > 0) {
            m.put("backlog", backlog);
            m.put("backlog_acked_ms", backlogAckedMs);
            m.put("backlog_drain_ms", backlogDrainMs);
        }
        if (!attacks.isEmpty()) m.put("attacks", attacks);
        if (!pulses.isEmpty()) m.put("pulse_meters", pulses);
        if (storageAlarms != null) {
            m.put("storage_alarms", storageAlarms);
        }
        m.put("failed_invariants", failed);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
