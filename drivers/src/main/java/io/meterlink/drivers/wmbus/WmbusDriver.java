package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Listens to one radio dongle (or hex line feed) on its own thread: opens the transport (reopening
 * with back-off after a failure), puts the dongle into the configured mode, frames and decodes every
 * telegram, hands the readings to the sink. Bad frames, missing or wrong keys and replays are
 * counted in {@link io.meterlink.core.api.driver.Health}, never stop the driver.
 */
final class WmbusDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(WmbusDriver.class);
    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 60_000;
    private static final int READ_TIMEOUT_MS = 500;

    private final WmbusDriverConfig config;
    private final Transport transport;
    private final DriverContext context;
    private final WmbusReadingMapper mapper;
    private final KeyLookup keys;
    private final ReplayGuard replays = new ReplayGuard();
    private final Object lock = new Object();
    private Thread thread;
    private volatile boolean running;

    WmbusDriver(WmbusDriverConfig config, Transport transport, DriverContext context) {
        this.config = config;
        this.transport = transport;
        this.context = context;
        this.mapper = new WmbusReadingMapper(config.meterZone());
        this.keys = config.keys();
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (thread != null) return;
            running = true;
            thread = new Thread(this::run, "wmbus-" + context.sourceName());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        String source = context.sourceName();
        long backoff = MIN_BACKOFF_MS;
        byte[] buf = new byte[1024];
        try {
            while (running) {
                DongleFramer framer = config.newFramer();
                try {
                    transport.open();
                    LOG.info("{}: listening on {} ({} {})", source, transport.describe(), config.dongle(), config.mode());
                    byte[] setup = framer.setupCommand();
                    if (setup.length > 0) transport.write(setup);
                    backoff = MIN_BACKOFF_MS;
                    while (running) {
                        int n = transport.read(buf, READ_TIMEOUT_MS);
                        if (n <= 0) continue;
                        framer.feed(buf, n);
                        drain(framer, source);
                    }
                } catch (IOException e) {
                    if (!running) break;
                    LOG.warn("{}: {} failed: {} (reopen in {} ms)", source, transport.describe(), e.getMessage(), backoff);
                    context.health().transportError(source, e.getMessage());
                    transport.close();
                    TimeUnit.MILLISECONDS.sleep(backoff);
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: wireless M-Bus driver stopped by an unexpected error", source, e);
            context.health().transportError(source, "driver stopped: " + e);
        } finally {
            transport.close();
        }
    }

    private void drain(DongleFramer framer, String source) throws InterruptedException {
        while (true) {
            RadioFrame f;
            try {
                f = framer.next();
            } catch (DecodeException e) {
                bad(source, e);
                continue;
            }
            if (f == null) return;
            try {
                handle(f, source);
            } catch (DecodeException e) {
                bad(source, e);
            }
        }
    }

    /** Decodes one frame and stores its readings, unless it is a replay or from an unwanted meter. */
    void handle(RadioFrame f, String source) throws DecodeException, InterruptedException {
        byte[] frame = f.frame();
        WmbusTelegram t = WmbusDecoder.decode(frame, keys);
        boolean known = config.known(t.manufacturer(), t.id()) || config.known(t.link().manufacturer(), t.link().id());
        MeterId meter = WmbusReadingMapper.meterId(t);
        if (!known && !config.acceptUnknown()) {
            LOG.trace("{}: ignoring {} (not configured)", source, meter);
            return;
        }
        if (replays.isReplay(meter.toString(), t.accessNumber(), frame)) {
            throw new DecodeException(Kind.REPLAY, "telegram seen before (access number " + t.accessNumber() + ")", meter.toString(), null);
        }
        context.health().meterHeard(meter, f.rssiDbm());
        Instant now = context.clock().instant();
        List<Reading> readings = mapper.toReadings(t, now, f.rssiDbm());
        if (!readings.isEmpty()) context.sink().accept(readings);
    }

    private void bad(String source, DecodeException e) {
        LOG.debug("{}: refused telegram ({}{}): {}", source, e.kind(), e.meter() == null ? "" : ", " + e.meter(), e.getMessage());
        context.health().badInput(source, e.kind());
    }

    @Override
    public void close() {
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
