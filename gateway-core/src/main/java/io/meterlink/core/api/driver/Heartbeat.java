package io.meterlink.core.api.driver;

import java.time.Duration;

/**
 * A loop's proof of life for the service watchdog (docs/packaging.md, "Watchdog"). A loop calls
 * {@link #beat()} every time round, and at least once per liveness window (30 s; shorter under a
 * short {@code WatchdogSec=}) even when idle: a loop that waits longer waits in slices. Before a call
 * that may legitimately block longer (a connect, a meter's answer with retries) it calls
 * {@link #willBlock}. A loop counts from its first beat; one that stops beating is <em>stuck</em>, the
 * gateway stops its watchdog pings, and systemd restarts the service.
 *
 * <p>Cheap (one volatile write) and thread-safe.
 */
public interface Heartbeat {
    /** Beats that nobody watches (embedding, tests). */
    Heartbeat NONE = new Heartbeat() {
        @Override public void beat() { }

        @Override public void willBlock(Duration longest) { }

        @Override public void stop() { }
    };

    /** The loop made progress (went round once). */
    void beat();

    /** A beat, and the loop may now block for up to {@code longest} before its next beat. */
    void willBlock(Duration longest);

    /** The loop ends by design (closed): it is no longer watched. */
    void stop();
}
