package io.meterlink.sim.headend;

import io.meterlink.core.api.Reading;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What arrived at the head-end held against what the virtual meters generated. Generated readings
 * form a multiset keyed by measurement key plus exact value (a meter may legitimately send the same
 * value twice); each arrival with a new {@code (gw, seq)} takes the oldest generated entry under its
 * key.
 *
 * @param generated                readings the virtual meters generated
 * @param delivered                arrivals with a new {@code (gw, seq)}
 * @param lost                     generated readings that never arrived
 * @param duplicatesBySeq          arrivals repeating an already seen {@code (gw, seq)} (allowed: at-least-once)
 * @param duplicatesByMeasurement  arrivals with a new seq for a measurement already delivered (re-stamped data)
 * @param p50LatencyMs             generation to arrival, median
 * @param p99LatencyMs             generation to arrival, 99th percentile
 * @param maxLatencyMs             generation to arrival, worst
 * @param outOfOrder               readings older than a lower seq of the same meter series ({@link Order#bySeq}; must be 0)
 * @param outOfOrderByArrival      readings that arrived after a newer one of the same series ({@link Order#byArrival};
 *                                 expected after an outage, when live readings overtake the backlog)
 */
public record Verdict(long generated, long delivered, long lost, long duplicatesBySeq, long duplicatesByMeasurement,
                      long p50LatencyMs, long p99LatencyMs, long maxLatencyMs, long outOfOrder, long outOfOrderByArrival) {

    /** One generated reading and when it was generated. */
    public record Generated(Reading reading, Instant at) {
    }

    /** The matching key: the measurement key of DESIGN.md plus the exact value. */
    public static String keyOf(String measurementKey, BigDecimal value) {
        return measurementKey + "|" + (value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString());
    }

    public static Verdict of(Collection<Generated> generated, List<HeadEnd.Arrival> arrivals, long duplicatesBySeq) {
        Map<String, ArrayDeque<Instant>> pending = new HashMap<>();
        for (Generated g : generated) {
            pending.computeIfAbsent(keyOf(g.reading().measurementKey(), g.reading().value()), k -> new ArrayDeque<>())
                    .addLast(g.at());
        }
        List<Long> latencies = new ArrayList<>(arrivals.size());
        long unmatched = 0;
        for (HeadEnd.Arrival a : arrivals) {
            ArrayDeque<Instant> q = pending.get(a.key());
            Instant at = q == null ? null : q.pollFirst();
            if (at == null) {
                unmatched++;
            } else {
                latencies.add(Math.max(0, Duration.between(at, a.at()).toMillis()));
            }
        }
        long lost = pending.values().stream().mapToLong(ArrayDeque::size).sum();
        latencies.sort(null);
        Order order = Order.of(arrivals);
        return new Verdict(generated.size(), arrivals.size(), lost, duplicatesBySeq, unmatched,
                percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100), order.bySeq(), order.byArrival());
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
