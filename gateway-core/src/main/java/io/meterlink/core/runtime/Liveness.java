package io.meterlink.core.runtime;

import io.meterlink.core.api.driver.Heartbeat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The gateway's loops and their heartbeats, for the service watchdog. The liveness rule: a loop is
 * <em>stuck</em> when it has beaten at least once (so it is running) and then not again within the
 * window, plus whatever it announced with {@link Heartbeat#willBlock}. A loop that {@link
 * Heartbeat#stop stopped} by design is forgotten. Thread-safe.
 */
public final class Liveness {
    /** The window in production: every loop beats at least this often. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    /** The shortest window (a short {@code WatchdogSec=} must not flag a loop in a GC pause). */
    public static final Duration MIN_WINDOW = Duration.ofSeconds(2);

    /** One loop that is stuck: its name and how long ago it last beat. */
    public record Stuck(String loop, Duration silentFor) {
        @Override public String toString() {
            return loop + " (no progress for " + silentFor.toSeconds() + " s)";
        }
    }

    private final LongSupplier nanoTime;
    private final Map<String, Beat> loops = new ConcurrentHashMap<>();
    private volatile long windowNanos = DEFAULT_WINDOW.toNanos();

    public Liveness(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Shortens or lengthens the window (at least {@link #MIN_WINDOW}); any thread. */
    public void window(Duration window) {
        windowNanos = Math.max(MIN_WINDOW.toNanos(), window.toNanos());
    }

    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    /** The heartbeat of the loop called {@code name} (the same one for the same name). */
    public Heartbeat register(String name) {
        return loops.computeIfAbsent(Objects.requireNonNull(name, "name"), Beat::new);
    }

    /** The stuck loops, by name; empty while every running loop makes progress. */
    public List<Stuck> stuck() {
        long now = nanoTime.getAsLong();
        List<Stuck> out = new ArrayList<>();
        for (Beat b : loops.values()) {
            long last = b.last;
            if (!b.started || b.stopped) continue;
            if (now - last > windowNanos + b.allowance) out.add(new Stuck(b.name, Duration.ofNanos(now - last)));
        }
        out.sort((a, c) -> a.loop().compareTo(c.loop()));
        return Collections.unmodifiableList(out);
    }

    /** Names of the loops being watched (beaten at least once, not stopped), sorted. */
    public List<String> watched() {
        List<String> out = new ArrayList<>();
        loops.values().forEach(b -> {
            if (b.started && !b.stopped) out.add(b.name);
        });
        Collections.sort(out);
        return out;
    }

    private final class Beat implements Heartbeat {
        final String name;
        volatile long last;
        volatile long allowance;
        volatile boolean started;
        volatile boolean stopped;

        Beat(String name) {
            this.name = name;
        }

        @Override public void beat() {
            stamp(0);
        }

        @Override public void willBlock(Duration longest) {
            stamp(Math.max(0, longest.toNanos()));
        }

        private void stamp(long allow) {
            allowance = allow;
            last = nanoTime.getAsLong(); // last written after allowance: a reader never sees a new time with an old allowance it should not
            started = true;
            stopped = false;
        }

        @Override public void stop() {
            stopped = true;
        }
    }
}
