package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Polls the meters of one wired M-Bus line on its own thread: opens the transport (reopening with
 * back-off after a failure), reads every meter each poll interval, hands the readings to the sink.
 * A silent meter or a bad frame is reported to {@link io.meterlink.core.api.driver.Health} and the
 * other meters are still read. {@link #readNow} reads one meter already heard between two scheduled
 * reads. Thread-safe.
 */
public final class MbusDriver extends LineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(MbusDriver.class);
    /** Longest idle wait between two heartbeats. */
    private static final long IDLE_SLICE_NS = TimeUnit.SECONDS.toNanos(1);
    /** Room for a whole long frame on a slow line on top of the answer timeouts (255 bytes at 300 baud: 9.4 s). */
    private static final long FRAME_ALLOWANCE_MS = 10_000;

    private final MbusDriverConfig config;
    private final MbusReadingMapper mapper;
    private final MbusMaster master;
    /** Meter ids heard on this line and the configured entry they answered at; filled as meters answer. */
    private final Map<MeterId, MbusDriverConfig.Meter> known = new ConcurrentHashMap<>();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    public MbusDriver(MbusDriverConfig config, Transport transport, DriverContext context) {
        super("mbus", transport, context);
        this.config = config;
        this.mapper = new MbusReadingMapper(config.meterZone());
        this.master = new MbusMaster(this.transport, new MbusDecoder()::decode, config.timeoutMillis(), config.retries(), this::badInput, guard);
    }

    /**
     * Queues a read of one meter already heard on this line; the poll loop serves it between two
     * meters or during its pause. Unknown meter: {@link NoSuchElementException}; silent meter:
     * {@link TimeoutException}; closed driver: {@link IllegalStateException}. Thread-safe.
     */
    @Override
    public CompletableFuture<List<Reading>> readNow(MeterId meter) {
        MbusDriverConfig.Meter entry = known.get(meter);
        if (entry == null) {
            return CompletableFuture.failedFuture(new NoSuchElementException(
                    "meter " + meter + " has not been heard on M-Bus source " + source()));
        }
        if (!running()) return CompletableFuture.failedFuture(new IllegalStateException("M-Bus source " + source() + " is not running"));
        Request r = new Request(meter, entry, new CompletableFuture<>());
        requests.add(r);
        return r.result();
    }

    /** Reads every meter once per poll interval until stopped; serves read-now requests in between. */
    @Override
    protected void serve() throws IOException, InterruptedException {
        try {
            while (running()) {
                long cycleStart = System.nanoTime();
                pollAll();
                long waitNs;
                while ((waitNs = config.pollInterval().toNanos() - (System.nanoTime() - cycleStart)) > 0) {
                    heartbeat().beat(); // idle between polls: waits in slices
                    Request r = requests.poll(Math.min(waitNs, IDLE_SLICE_NS), TimeUnit.NANOSECONDS);
                    if (r != null) serveRequest(r);
                }
            }
        } finally {
            if (!running()) failPending();
        }
    }

    private void pollAll() throws IOException, InterruptedException {
        for (MbusDriverConfig.Meter meter : config.meters()) {
            if (!running()) return;
            serveRequests();
            read(meter);
        }
    }

    private void serveRequests() throws IOException, InterruptedException {
        Request r;
        while (running() && (r = requests.poll()) != null) serveRequest(r);
    }

    private void serveRequest(Request r) throws IOException, InterruptedException {
        if (r.result().isDone()) return; // cancelled or timed out by the caller
        List<Reading> readings;
        try {
            readings = read(r.entry());
        } catch (IOException | RuntimeException e) {
            r.result().completeExceptionally(e);
            throw e;
        }
        if (readings == null) {
            r.result().completeExceptionally(new TimeoutException(r.entry() + " did not answer"));
            return;
        }
        List<Reading> mine = readings.stream().filter(x -> x.meter().equals(r.meter())).toList();
        if (mine.isEmpty()) {
            r.result().completeExceptionally(new NoSuchElementException(
                    r.entry() + " now answers as another meter, not " + r.meter()));
        } else {
            r.result().complete(mine);
        }
    }

    /**
     * Reads one configured meter, reports it to health, hands its readings to the sink and remembers
     * which meter ids answered there. Returns null when the meter did not answer.
     */
    private List<Reading> read(MbusDriverConfig.Meter meter) throws IOException, InterruptedException {
        // a readout may wait for every try's answer (selection and multi-telegram readouts: a few exchanges)
        heartbeat().willBlock(java.time.Duration.ofMillis(4L * (config.retries() + 1) * config.timeoutMillis() + FRAME_ALLOWANCE_MS));
        List<MbusTelegram> telegrams = meter.secondary() == null ? master.readout(meter.address()) : master.readout(meter.secondary());
        if (telegrams.isEmpty()) {
            LOG.debug("{}: {} did not answer", source(), meter);
            context.health().meterSilent(source(), meter.key());
            return null;
        }
        Instant receivedAt = context.clock().instant();
        List<Reading> readings = new ArrayList<>();
        Set<MeterId> heard = new LinkedHashSet<>();
        Instant firstTime = mapper.meterTime(telegrams.get(0));
        for (MbusTelegram t : telegrams) {
            try {
                readings.addAll(guard.decode(() -> mapper.toReadings(t, receivedAt, firstTime)));
            } catch (DecodeException e) {
                badInput(e);
            }
            heard.add(MbusReadingMapper.meterId(t));
        }
        for (MeterId id : heard) {
            known.put(id, meter);
            context.health().meterHeard(id, null);
        }
        if (!readings.isEmpty()) context.sink().accept(readings);
        return readings;
    }

    private void failPending() {
        Request r;
        while ((r = requests.poll()) != null) {
            r.result().completeExceptionally(new IllegalStateException("M-Bus source " + source() + " closed"));
        }
    }

    private record Request(MeterId meter, MbusDriverConfig.Meter entry, CompletableFuture<List<Reading>> result) {
    }
}
