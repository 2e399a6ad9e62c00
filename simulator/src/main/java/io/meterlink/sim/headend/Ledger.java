package io.meterlink.sim.headend;

import io.meterlink.core.api.Reading;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * What the virtual meters generated, as a multiset of measurement key + value, each with the
 * instant it was generated. The head-end verifier holds what arrived against it. Thread-safe.
 */
public final class Ledger {
    private final Map<String, ArrayDeque<Instant>> pending = new HashMap<>();
    private long generated;

    /** The key the verifier matches on: the measurement key of DESIGN.md plus the exact value. */
    public static String keyOf(String measurementKey, BigDecimal value) {
        return measurementKey + "|" + normalise(value);
    }

    public static String keyOf(Reading r) {
        return keyOf(r.measurementKey(), r.value());
    }

    static String normalise(BigDecimal v) {
        return v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
    }

    public synchronized void generated(Reading r, Instant at) {
        pending.computeIfAbsent(keyOf(r), k -> new ArrayDeque<>()).addLast(at);
        generated++;
    }

    /**
     * Matches one arrival against the ledger.
     *
     * @return when the matched reading was generated, or {@code null} when nothing generated is left
     *         under that key (a duplicate measurement, or a reading the simulator never generated)
     */
    public synchronized Instant arrived(String key) {
        ArrayDeque<Instant> q = pending.get(key);
        if (q == null || q.isEmpty()) return null;
        Instant at = q.pollFirst();
        if (q.isEmpty()) pending.remove(key);
        return at;
    }

    public synchronized long generated() { return generated; }

    /** Generated readings that have not arrived (yet). */
    public synchronized long outstanding() {
        long n = 0;
        for (ArrayDeque<Instant> q : pending.values()) n += q.size();
        return n;
    }
}
