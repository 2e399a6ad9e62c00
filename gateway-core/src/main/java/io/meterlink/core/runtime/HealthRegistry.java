package io.meterlink.core.runtime;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.status.StaleMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the drivers report about meters and lines, for status: meters heard (last time, RSSI),
 * stale meters, refused input by source and kind, transport errors by source.
 *
 * <p>A meter is <em>stale</em> when it has not been heard for three times its source's expected
 * interval, or when its driver reported it silent within the last three intervals. At most
 * {@code maxMeters} meters are tracked (radio gateways also hear the neighbours' meters): beyond
 * that the one heard longest ago is forgotten. Thread-safe.
 */
public final class HealthRegistry implements Health {
    /** Stale after this many expected intervals without being heard. */
    public static final int STALE_FACTOR = 3;
    /** Most entries returned by {@link #staleMeters()} (status messages stay small). */
    public static final int MAX_STALE_LISTED = 1000;
    static final String UNKNOWN_SOURCE = "-";

    /**
     * One meter as last heard.
     *
     * @param meter    the meter
     * @param source   the source that heard it last
     * @param lastSeen when
     * @param rssiDbm  signal strength of that frame, {@code null} when not reported
     * @param expected the source's expected interval
     */
    public record MeterHealth(MeterId meter, String source, Instant lastSeen, Integer rssiDbm, Duration expected) {
    }

    private record Silent(Instant reportedAt, Duration expected) {
    }

    private final Clock clock;
    private final int maxMeters;
    private final Duration defaultExpected;
    private final Map<MeterId, MeterHealth> meters = new ConcurrentHashMap<>();
    private final Map<StaleMeter.Silent, Silent> silent = new ConcurrentHashMap<>();
    private final Map<String, Duration> expectedBySource = new ConcurrentHashMap<>();
    private final Map<String, Map<DecodeException.Kind, AtomicLong>> badInput = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicLong>> withoutReading = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> transportErrors = new ConcurrentHashMap<>();
    private final Map<String, String> lastTransportError = new ConcurrentHashMap<>();
    private final java.util.Set<Alarm> alarms = ConcurrentHashMap.newKeySet();

    public HealthRegistry(Clock clock, Duration defaultExpected, int maxMeters) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultExpected = Objects.requireNonNull(defaultExpected, "defaultExpected");
        if (maxMeters < 1) throw new IllegalArgumentException("maxMeters must be >= 1");
        this.maxMeters = maxMeters;
    }

    /** A view for one source's driver: the meters it hears are expected every {@code expected}. */
    public Health forSource(String source, Duration expected) {
        expectedBySource.put(source, expected);
        return new Health() {
            @Override public void meterHeard(MeterId meter, Integer rssiDbm) { heard(meter, rssiDbm, source, expected); }
            @Override public void meterSilent(String ignored, String address) { HealthRegistry.this.meterSilent(source, address); }
            @Override public void badInput(String ignored, DecodeException.Kind kind) { HealthRegistry.this.badInput(source, kind); }
            @Override public void transportError(String ignored, String message) { HealthRegistry.this.transportError(source, message); }
            @Override public void recordsWithoutReading(String ignored, String kind, int count) { HealthRegistry.this.recordsWithoutReading(source, kind, count); }
            @Override public void raiseAlarm(Alarm alarm) { HealthRegistry.this.raiseAlarm(alarm); }
            @Override public void clearAlarm(Alarm alarm) { HealthRegistry.this.clearAlarm(alarm); }
        };
    }

    @Override public void meterHeard(MeterId meter, Integer rssiDbm) {
        heard(meter, rssiDbm, UNKNOWN_SOURCE, defaultExpected);
    }

    private void heard(MeterId meter, Integer rssiDbm, String source, Duration expected) {
        Objects.requireNonNull(meter, "meter");
        MeterHealth previous = meters.put(meter, new MeterHealth(meter, source, clock.instant(), rssiDbm, expected));
        if (previous == null && meters.size() > maxMeters) {
            forgetOldest();
        }
    }

    private void forgetOldest() {
        MeterHealth oldest = null;
        for (MeterHealth m : meters.values()) {
            if (oldest == null || m.lastSeen().isBefore(oldest.lastSeen())) oldest = m;
        }
        if (oldest != null) meters.remove(oldest.meter(), oldest);
    }

    @Override public void meterSilent(String source, String address) {
        Duration expected = expectedBySource.getOrDefault(source, defaultExpected);
        silent.put(new StaleMeter.Silent(source, address), new Silent(clock.instant(), expected));
    }

    @Override public void badInput(String source, DecodeException.Kind kind) {
        badInput.computeIfAbsent(source, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    @Override public void recordsWithoutReading(String source, String kind, int count) {
        withoutReading.computeIfAbsent(source, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(kind, k -> new AtomicLong()).addAndGet(count);
    }

    /** Decoded records kept without a reading, by source, then kind. */
    public Map<String, Map<String, Long>> recordsWithoutReadingBySource() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        withoutReading.forEach((source, byKind) -> {
            Map<String, Long> m = new TreeMap<>();
            byKind.forEach((kind, n) -> m.put(kind, n.get()));
            out.put(source, Collections.unmodifiableMap(m));
        });
        return Collections.unmodifiableMap(out);
    }

    @Override public void transportError(String source, String message) {
        transportErrors.computeIfAbsent(source, s -> new AtomicLong()).incrementAndGet();
        lastTransportError.put(source, message == null ? "" : message);
    }

    @Override public void raiseAlarm(Alarm alarm) {
        alarms.add(alarm);
    }

    @Override public void clearAlarm(Alarm alarm) {
        alarms.remove(alarm);
    }

    /** Alarms the drivers raised and did not clear, sorted by text. */
    public List<Alarm> alarms() {
        List<Alarm> out = new ArrayList<>(alarms);
        out.sort(java.util.Comparator.comparing(Alarm::text));
        return List.copyOf(out);
    }

    /** Meters tracked (heard at least once since start, within the {@code maxMeters} bound). */
    public int metersHeard() {
        return meters.size();
    }

    /** The meter as last heard, if it was. */
    public java.util.Optional<MeterHealth> meter(MeterId id) {
        return java.util.Optional.ofNullable(meters.get(id));
    }

    /** Every tracked meter, sorted by id. */
    public List<MeterHealth> meters() {
        List<MeterHealth> out = new ArrayList<>(meters.values());
        out.sort((a, b) -> a.meter().compareTo(b.meter()));
        return out;
    }

    /**
     * Stale meters, sorted by text: meters heard but overdue, and meters their driver reported
     * silent. At most {@link #MAX_STALE_LISTED}.
     */
    public List<StaleMeter> staleMeters() {
        Instant now = clock.instant();
        List<StaleMeter> out = new ArrayList<>();
        for (MeterHealth m : meters.values()) {
            if (m.lastSeen().plus(m.expected().multipliedBy(STALE_FACTOR)).isBefore(now)) {
                out.add(new StaleMeter.Overdue(m.meter()));
            }
        }
        silent.entrySet().removeIf(e -> !e.getValue().reportedAt().plus(e.getValue().expected().multipliedBy(STALE_FACTOR)).isAfter(now));
        out.addAll(silent.keySet());
        Collections.sort(out);
        return out.size() > MAX_STALE_LISTED ? List.copyOf(out.subList(0, MAX_STALE_LISTED)) : List.copyOf(out);
    }

    /** Refused frames/lines by kind, summed over sources. */
    public BadInputCounts badInputByKind() {
        Map<DecodeException.Kind, Long> out = new java.util.EnumMap<>(DecodeException.Kind.class);
        badInput.values().forEach(bySource -> bySource.forEach((kind, n) -> out.merge(kind, n.get(), Long::sum)));
        return BadInputCounts.of(out);
    }

    /** Refused frames/lines by source, then kind (lower case). */
    public Map<String, Map<String, Long>> badInputBySource() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        badInput.forEach((source, byKind) -> {
            Map<String, Long> m = new TreeMap<>();
            byKind.forEach((kind, n) -> m.put(BadInputCounts.name(kind), n.get()));
            out.put(source, Collections.unmodifiableMap(m));
        });
        return Collections.unmodifiableMap(out);
    }

    /** Transport failures by source since start. */
    public Map<String, Long> transportErrors() {
        Map<String, Long> out = new TreeMap<>();
        transportErrors.forEach((s, n) -> out.put(s, n.get()));
        return Collections.unmodifiableMap(out);
    }

    /** The last transport error a source reported, if any. */
    public java.util.Optional<String> lastTransportError(String source) {
        return java.util.Optional.ofNullable(lastTransportError.get(source));
    }
}
