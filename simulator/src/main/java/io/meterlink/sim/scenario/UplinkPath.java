package io.meterlink.sim.scenario;

import io.meterlink.sim.faults.FaultProxy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The network path from the gateway to the broker, as far as faults are concerned: the URL the
 * gateway is given, and what can be done to the path. {@link Direct} is a plain path that cannot be
 * broken; {@link Proxied} puts the TCP {@link FaultProxy} in between.
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

    /** Caps each direction at {@code bytesPerSecond}, until {@link #restore()}. */
    void bandwidth(long bytesPerSecond);

    /** Cuts the link for {@code downMin..downMax} every {@code upMin..upMax} (random, from {@code seed}) until {@link #restore()}. */
    void flap(Duration upMin, Duration upMax, Duration downMin, Duration downMax, long seed);

    /** Back to a healthy path (also ends flapping, removes latency and the bandwidth cap). */
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

        @Override public void bandwidth(long bytesPerSecond) { throw unsupported(); }

        @Override public void flap(Duration upMin, Duration upMax, Duration downMin, Duration downMax, long seed) {
            throw unsupported();
        }

        @Override public void restore() { }

        @Override public void close() { }

        private static UnsupportedOperationException unsupported() {
            return new UnsupportedOperationException("proxy faults need the TCP fault proxy (io.meterlink.sim.faults.FaultProxy)");
        }
    }

    /**
     * The gateway connects to a {@link FaultProxy} on 127.0.0.1 that forwards to the broker; TLS
     * runs end to end through it (the URL keeps the host name {@code localhost}).
     */
    final class Proxied implements UplinkPath {
        private final FaultProxy proxy;
        private final String url;

        Proxied(String brokerUrl) throws IOException {
            URI u = URI.create(brokerUrl);
            this.proxy = new FaultProxy(0, "127.0.0.1", u.getPort());
            this.url = u.getScheme() + "://" + u.getHost() + ":" + proxy.port();
        }

        @Override public String gatewayUrl() { return url; }

        @Override public void cut() { proxy.cut(); }

        @Override public void blackHole() { proxy.blackHole(); }

        @Override public void latency(Duration latency) {
            proxy.latency(FaultProxy.Direction.UPSTREAM, latency);
            proxy.latency(FaultProxy.Direction.DOWNSTREAM, latency);
        }

        @Override public void bandwidth(long bytesPerSecond) { proxy.bandwidth(bytesPerSecond); }

        @Override public void flap(Duration upMin, Duration upMax, Duration downMin, Duration downMax, long seed) {
            proxy.flap(upMin, upMax, downMin, downMax, seed);
        }

        @Override public void restore() {
            if (proxy.isFlapping()) proxy.stopFlapping();
            proxy.latency(FaultProxy.Direction.UPSTREAM, Duration.ZERO);
            proxy.latency(FaultProxy.Direction.DOWNSTREAM, Duration.ZERO);
            proxy.bandwidth(0);
            proxy.restore();
        }

        @Override public void close() { proxy.close(); }
    }
}
