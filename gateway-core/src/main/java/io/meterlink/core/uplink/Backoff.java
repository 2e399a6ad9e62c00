package io.meterlink.core.uplink;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: exponential growth with full jitter. The n-th delay after a reset (n = 0, 1, …)
 * is uniform in {@code [min, min(max, min·2ⁿ)]}, so a fleet of gateways that lost the broker together
 * does not come back together.
 *
 * <p>Not thread-safe (used by the uplink thread only).
 */
public final class Backoff {
    private final long minMs;
    private final long maxMs;
    private final DoubleSupplier random;
    private int attempt;

    /** @param random uniform in {@code [0, 1)} */
    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        this.minMs = Math.max(0, min.toMillis());
        this.maxMs = Math.max(minMs, max.toMillis());
        this.random = Objects.requireNonNull(random);
    }

    public Backoff(Duration min, Duration max) {
        this(min, max, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }

    /** The next delay; grows the bound for the one after. */
    public Duration next() {
        long ceiling = ceiling(attempt);
        if (attempt < 62) attempt++;
        long span = ceiling - minMs;
        return Duration.ofMillis(minMs + (long) (random.getAsDouble() * (span + 1)));
    }

    /** The upper bound the next {@link #next()} draws below. */
    public Duration currentCeiling() { return Duration.ofMillis(ceiling(attempt)); }

    /** After a successful connect: start again from {@code min}. */
    public void reset() { attempt = 0; }

    private long ceiling(int n) {
        long c = Math.max(1, minMs);
        for (int i = 0; i < n && c < maxMs; i++) c *= 2;
        return Math.max(minMs, Math.min(maxMs, c));
    }
}
