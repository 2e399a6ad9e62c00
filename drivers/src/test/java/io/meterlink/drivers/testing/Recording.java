package io.meterlink.drivers.testing;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.ReadingSink;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A driver context whose sink and health record everything, for tests. Thread-safe. */
public final class Recording implements DriverContext, ReadingSink, Health {
    public final List<Reading> readings = new CopyOnWriteArrayList<>();
    public final List<MeterId> heard = new CopyOnWriteArrayList<>();
    public final List<String> silent = new CopyOnWriteArrayList<>();
    public final List<DecodeException.Kind> bad = new CopyOnWriteArrayList<>();
    public final List<String> transportErrors = new CopyOnWriteArrayList<>();
    /** Records kept without a reading, by kind. */
    public final java.util.Map<String, Integer> withoutReading = new java.util.concurrent.ConcurrentHashMap<>();
    /** Alarms raised and not cleared, by text. */
    public final java.util.Set<String> alarms = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The state directory drivers are given; {@code null} unless a test sets it. */
    public volatile java.nio.file.Path stateDir;
    private final Clock clock;

    public Recording(Clock clock) { this.clock = clock; }

    @Override public String toString() { return "readings " + readings + ", bad " + bad + ", transport errors " + transportErrors; }
    @Override public String sourceName() { return "line1"; }
    @Override public ReadingSink sink() { return this; }
    @Override public Health health() { return this; }
    /** Heartbeats the driver's loop gave (the service watchdog's view of it). */
    public final java.util.concurrent.atomic.AtomicLong beats = new java.util.concurrent.atomic.AtomicLong();
    @Override public io.meterlink.core.api.driver.Heartbeat heartbeat() {
        return new io.meterlink.core.api.driver.Heartbeat() {
            @Override public void beat() { beats.incrementAndGet(); }
            @Override public void willBlock(java.time.Duration longest) { beats.incrementAndGet(); }
            @Override public void stop() { }
        };
    }
    @Override public Clock clock() { return clock; }
    @Override public void accept(List<Reading> r) { readings.addAll(r); }
    @Override public void meterHeard(MeterId meter, Integer rssiDbm) { heard.add(meter); }
    @Override public void meterSilent(String source, String address) { silent.add(address); }
    @Override public void badInput(String source, DecodeException.Kind kind) { bad.add(kind); }
    @Override public void transportError(String source, String message) { transportErrors.add(message); }
    @Override public void recordsWithoutReading(String source, String kind, int count) { withoutReading.merge(kind, count, Integer::sum); }
    @Override public void raiseAlarm(io.meterlink.core.api.alarm.Alarm alarm) { alarms.add(alarm.text()); }
    @Override public void clearAlarm(io.meterlink.core.api.alarm.Alarm alarm) { alarms.remove(alarm.text()); }
    @Override public java.util.Optional<java.nio.file.Path> stateDir() { return java.util.Optional.ofNullable(stateDir); }
}
