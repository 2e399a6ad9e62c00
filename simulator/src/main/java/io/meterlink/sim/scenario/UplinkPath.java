package io.meterlink.sim.scenario;

import java.time.Duration;

/**
 * The network path from the gateway to the broker, as far as faults are concerned: the URL the
 * gateway is given, and what can be done to the path. {@link Direct} is a plain path that cannot be
 * broken; the TCP fault proxy ({@code io.meterlink.sim.faults.FaultProxy}) plugs in here.
 * Called from the scenario's single orchestration thread.
 */
interface UplinkPath extends AutoCloseable {
    /** The URL the gateway connects to ({@code ssl://localhost:port}). */
    String gatewayUrl();

    /** Resets every connection and refuses new ones until {@link #restore()}. */
    void cut();

    /** Swallows every byte both ways without closing anything, until {@link #restore()}. */
    void blackHole();

    /** Adds {@code latency} to every chunk both ways, until {@link #restore()}. */
    void latency(Duration latency);

    /** Cuts the link for {@code downMin..downMax} every {@code upMin..upMax} (random, from {@code seed}) until {@link #restore()}. */
    void flap(Duration upMin, Duration upMax, Duration downMin, Duration downMax, long seed);

    /** Back to a healthy path (also ends flapping). */
    void restore();

    @Override
    void close();

    /** The gateway connects straight to the broker: no proxy, so proxy faults are refused. */
    final class Direct implements UplinkPath {
        private final String url;

        Direct(String url) {
            this.url = url;
        }

        @Override public String gatewayUrl() { return url; }

        @Override public void cut() { throw unsupported(); }

        @Override public void blackHole() { throw unsupported(); }

        @Override public void latency(Duration latency) { throw unsupported(); }

        @Override public void flap(Duration upMin, Duration upMax, Duration downMin, Duration downMax, long seed) {
            throw unsupported();
        }

        @Override public void restore() { }

        @Override public void close() { }

        private static UnsupportedOperationException unsupported() {
            return new UnsupportedOperationException("proxy faults need the TCP fault proxy (io.meterlink.sim.faults.FaultProxy)");
        }
    }
}
