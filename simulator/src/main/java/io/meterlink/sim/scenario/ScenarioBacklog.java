package io.meterlink.sim.scenario;

import io.meterlink.core.buffer.BufferStats;
import io.meterlink.sim.bench.Backlog;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Verdict;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A scenario's {@code backlog}: readings written into the gateway's new buffer file before its first
 * start (as after a long outage), through {@link Backlog}. They hold seqs {@code 1..N}, count as
 * accepted, and are accounted like the meters' readings, generated at the gateway's launch (inside
 * the start-up window: live readings are then those generated while it drains). Also watches the buffer file for the moment the gateway had
 * every backlog reading acknowledged by the broker. Not thread-safe (the orchestration thread).
 */
final class ScenarioBacklog {
    /** Backlog meter ids start here: apart from the live meters' (wired 10…, wireless 50…). */
    private static final int METER_ID_BASE = 90_000_000;

    private final Backlog backlog;
    private Instant launch;
    private Instant ackedAt;

    private ScenarioBacklog(Backlog backlog) {
        this.backlog = backlog;
    }

    /**
     * Writes {@code readings} readings of {@code meters} meters (readouts every 15 minutes, 30 days old)
     * into {@code db}, which must not hold a buffer yet.
     */
    static ScenarioBacklog fill(Path db, String gatewayId, long readings, int meters, Instant now) throws Exception {
        Instant base = now.minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.HOURS);
        Backlog b = new Backlog(gatewayId, readings, Math.max(1, meters), METER_ID_BASE, base, now);
        b.writeTo(db);
        return new ScenarioBacklog(b);
    }

    /** The gateway was launched on the filled buffer at {@code at}. */
    void launched(Instant at) {
        launch = at;
    }

    /**
     * A sample of the buffer file taken at {@code now}: the backlog is acknowledged once the oldest
     * reading left was accepted after the launch (backlog readings were accepted before it), or none is left.
     */
    void observe(BufferStats stats, Instant now) {
        if (launch == null || ackedAt != null) return;
        if (stats.depth() == 0 || stats.oldestUnsentAgeMs() < Duration.between(launch, now).toMillis()) ackedAt = now;
    }

    /** When a sample first saw every backlog reading acknowledged (to the sampling period, about 1 s); empty before. */
    Optional<Instant> ackedAt() {
        return Optional.ofNullable(ackedAt);
    }

    long readings() {
        return backlog.readings();
    }

    /** Adds the backlog's seqs {@code 1..N} to {@code accepted}. */
    void addSeqsTo(Set<Long> accepted) {
        for (long s = 1; s <= backlog.readings(); s++) accepted.add(s);
    }

    /** The backlog as generated readings, each generated at {@code launch}. */
    List<Verdict.Generated> generated(Instant launch) {
        List<Verdict.Generated> out = new ArrayList<>((int) backlog.readings());
        for (long i = 0; i < backlog.readings(); i++) out.add(new Verdict.Generated(backlog.reading(i), launch));
        return out;
    }

    /** When the last backlog seq arrived at the head-end; empty while (or if) some never did. */
    Optional<Instant> drainedAt(String gatewayId, List<HeadEnd.Arrival> arrivals) {
        long n = backlog.readings();
        long seen = 0;
        Instant last = null;
        for (HeadEnd.Arrival a : arrivals) {
            if (!a.gwSeq().gateway().equals(gatewayId)) continue;
            long seq = a.gwSeq().seq();
            if (seq < 1 || seq > n) continue;
            seen++; // arrivals hold each (gw, seq) once
            if (last == null || a.at().isAfter(last)) last = a.at();
        }
        return seen == n ? Optional.of(last) : Optional.empty();
    }
}
