package io.meterlink.drivers.transport;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The life of a driver that owns one line: its own thread opens the transport, hands it to
 * {@link #serve} (poll or listen), and after a failure closes it and reopens with exponential
 * back-off (1 s to 60 s), reporting each failure to {@link io.meterlink.core.api.driver.Health}.
 * Bad input never reaches this level: decoding runs through {@link #guard}, {@link #badInput} counts what
 * it refused, and the line goes on.
 */
public abstract class LineDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(LineDriver.class);
    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 60_000;
    /** Longest a transport may take to open (a TCP connect to a converter); the watchdog allows it. */
    private static final Duration OPEN_ALLOWANCE = Duration.ofSeconds(30);

    /**
     * The line, its unchecked failures turned into {@link IOException}s ({@link CheckedTransport}); Modbus
     * reads through j2mod's own connection on the transport it was built with, and handles its failures there.
     */
    protected final Transport transport;
    protected final DriverContext context;
    /** Every decoding step of this line runs through it: a decoder fault is a counted bad input, not a stopped line. */
    protected final DecodeGuard guard;
    private final String family;
    private final Object lock = new Object();
    private Thread thread;
    private volatile boolean running;

    protected LineDriver(String family, Transport transport, DriverContext context) {
        this.family = family;
        this.transport = CheckedTransport.of(transport); // a transport's unchecked failure is a line failure: reopened, never a stopped driver
        this.context = context;
        this.guard = context.decodeGuard();
    }

    /**
     * Works the open line until {@link #running()} turns false (then returns) or the line fails
     * (then throws {@link IOException}; the line is closed and reopened). Beats {@link #heartbeat()}
     * at least once per liveness window, also while idle (docs/packaging.md, "Watchdog").
     */
    protected abstract void serve() throws IOException, InterruptedException;

    protected final boolean running() { return running; }

    protected final String source() { return context.sourceName(); }

    /** This driver's loop heartbeat for the service watchdog. */
    protected final io.meterlink.core.api.driver.Heartbeat heartbeat() { return context.heartbeat(); }

    /** Counts refused input; the line goes on. */
    protected final void badInput(DecodeException e) {
        LOG.debug("{}: refused input ({}{}): {}", source(), e.kind(), e.meter() == null ? "" : ", " + e.meter(), e.getMessage());
        context.health().badInput(source(), e.kind());
    }

    /** Marks every meter of {@code readings} heard and hands them to the sink in one batch (nothing when empty). */
    protected final void deliver(List<Reading> readings) throws InterruptedException {
        Set<MeterId> meters = new LinkedHashSet<>();
        for (Reading r : readings) meters.add(r.meter());
        for (MeterId m : meters) context.health().meterHeard(m, null);
        if (!readings.isEmpty()) context.sink().accept(readings);
    }

    @Override
    public final void start() {
        synchronized (lock) {
            if (thread != null) return;
            running = true;
            thread = new Thread(this::run, family + "-" + source());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_MS;
        try {
            while (running) {
                heartbeat().beat();
                try {
                    if (!transport.isOpen()) {
                        heartbeat().willBlock(OPEN_ALLOWANCE);
                        transport.open();
                        LOG.info("{}: opened {}", source(), transport.describe());
                        backoff = MIN_BACKOFF_MS;
                    }
                    serve();
                } catch (IOException e) {
                    if (!running) break; // closed under our feet by close()
                    LOG.warn("{}: {} failed: {} (reopen in {} ms)", source(), transport.describe(), e.getMessage(), backoff);
                    context.health().transportError(source(), e.getMessage());
                    transport.close();
                    heartbeat().willBlock(Duration.ofMillis(backoff));
                    TimeUnit.MILLISECONDS.sleep(backoff);
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: {} driver stopped by an unexpected error", source(), family, e);
            context.health().transportError(source(), "driver stopped: " + e);
        } finally {
            // closed by design: no longer watched; ended by an error while running: stuck, so the service restarts
            if (!running) heartbeat().stop();
            transport.close();
        }
    }

    @Override
    public final void close() {
        Thread t;
        synchronized (lock) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t != null) {
            t.interrupt();
            transport.close();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
    }
}
