package io.meterlink.drivers.testing;

import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.api.driver.ReadingSink;

import java.time.Clock;

/** A {@link Recording}'s context whose sink fails (a buffer that cannot take readings): a delivery fault, not bad input. */
public final class BrokenSink implements DriverContext {
    private final Recording rec;

    public BrokenSink(Recording rec) { this.rec = rec; }

    @Override public String sourceName() { return rec.sourceName(); }
    @Override public ReadingSink sink() { return readings -> { throw new IllegalStateException("buffer closed"); }; }
    @Override public Health health() { return rec; }
    @Override public Clock clock() { return rec.clock(); }
    @Override public Heartbeat heartbeat() { return rec.heartbeat(); }
    @Override public DecodeGuard decodeGuard() { return rec.decodeGuard(); }
    @Override public java.util.Optional<java.nio.file.Path> stateDir() { return rec.stateDir(); }

    /**
     * Starts the driver {@code create} makes on a context whose sink fails and {@code feed}s it input that
     * decodes: the delivery fault stops the line as before (reported as a transport error) and is not
     * counted as bad input.
     */
    public static void assertStopsTheLine(java.util.function.Function<DriverContext, io.meterlink.core.api.driver.Driver> create, Runnable feed)
            throws InterruptedException {
        Recording rec = new Recording(Clock.systemUTC());
        try (io.meterlink.core.api.driver.Driver d = create.apply(new BrokenSink(rec))) {
            d.start();
            feed.run();
            Await.until(() -> !rec.transportErrors.isEmpty(), "the delivery fault reported", rec);
        }
        if (!rec.transportErrors.get(0).contains("buffer closed")) throw new AssertionError("not the delivery fault: " + rec);
        if (!rec.bad.isEmpty()) throw new AssertionError("a delivery fault counted as bad input: " + rec);
    }
}
