package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Polls the meters of one wired M-Bus line on its own thread: opens the transport (reopening with
 * back-off after a failure), reads every meter each poll interval, hands the readings to the sink.
 * A silent meter or a bad frame is reported to {@link io.meterlink.core.api.driver.Health} and the
 * other meters are still read.
 */
public final class MbusDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(MbusDriver.class);
    private static final long MIN_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 60_000;

    private final MbusDriverConfig config;
    private final Transport transport;
    private final DriverContext context;
    private final MbusReadingMapper mapper;
    private final Object lock = new Object();
    private Thread thread;
    private volatile boolean running;

    public MbusDriver(MbusDriverConfig config, Transport transport, DriverContext context) {
        this.config = config;
        this.transport = transport;
        this.context = context;
        this.mapper = new MbusReadingMapper(config.meterZone());
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (thread != null) return;
            running = true;
            thread = new Thread(this::run, "mbus-" + context.sourceName());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        String source = context.sourceName();
        MbusMaster master = new MbusMaster(transport, new MbusDecoder(), config.timeoutMillis(), config.retries(),
                e -> badInput(source, e));
        long backoff = MIN_BACKOFF_MS;
        try {
            while (running) {
                if (!transport.isOpen()) {
                    try {
                        transport.open();
                        LOG.info("{}: opened {}", source, transport.describe());
                        backoff = MIN_BACKOFF_MS;
                    } catch (IOException e) {
                        if (!running) break;
                        LOG.warn("{}: cannot open {}: {} (retry in {} ms)", source, transport.describe(), e.getMessage(), backoff);
                        context.health().transportError(source, e.getMessage());
                        TimeUnit.MILLISECONDS.sleep(backoff);
                        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                        continue;
                    }
                }
                long cycleStart = System.nanoTime();
                try {
                    pollAll(master, source);
                } catch (IOException e) {
                    if (!running) break; // closed under our feet by close()
                    LOG.warn("{}: line failure on {}: {}", source, transport.describe(), e.getMessage());
                    context.health().transportError(source, e.getMessage());
                    transport.close();
                    continue;
                }
                long waitNs = config.pollInterval().toNanos() - (System.nanoTime() - cycleStart);
                if (waitNs > 0) TimeUnit.NANOSECONDS.sleep(waitNs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: M-Bus driver stopped by an unexpected error", source, e);
            context.health().transportError(source, "driver stopped: " + e);
        } finally {
            transport.close();
        }
    }

    private void pollAll(MbusMaster master, String source) throws IOException, InterruptedException {
        for (MbusDriverConfig.Meter meter : config.meters()) {
            if (!running) return;
            List<MbusTelegram> telegrams = meter.secondary() == null ? master.readout(meter.address()) : master.readout(meter.secondary());
            if (telegrams.isEmpty()) {
                LOG.debug("{}: {} did not answer", source, meter);
                context.health().meterSilent(source, meter.key());
                continue;
            }
            Instant receivedAt = context.clock().instant();
            List<Reading> readings = new ArrayList<>();
            Set<MeterId> heard = new LinkedHashSet<>();
            Instant firstTime = mapper.meterTime(telegrams.get(0));
            for (MbusTelegram t : telegrams) {
                readings.addAll(mapper.toReadings(t, receivedAt, firstTime));
                heard.add(MbusReadingMapper.meterId(t));
            }
            for (MeterId id : heard) context.health().meterHeard(id, null);
            if (!readings.isEmpty()) context.sink().accept(readings);
        }
    }

    private void badInput(String source, DecodeException e) {
        LOG.debug("{}: refused input ({}): {}", source, e.kind(), e.getMessage());
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
