package io.meterlink.drivers.pulse;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.alarm.Alarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts pulses on GPIO inputs and reads out their registers. One thread takes the lines' edges
 * from a bounded queue, debounces them ({@link Debouncer}), and commits every pulse counted in a
 * pass to the {@link PulseStore} before it takes the next edges (group commit): a pulse is in
 * memory only between its debounced edge and that commit. Every {@code interval} each input gives
 * its register (energy in Wh or volume in m3) and the power or flow over the interval; an input
 * held active beyond {@code stuck_after} raises {@code input_stuck}; a configured start value
 * below the register already counted raises {@code counter_backwards}. Edges beyond the queue's
 * capacity (a bounce storm) are dropped (the line's latest level is still taken) and counted as bad
 * input ({@code length}); bounce as {@code syntax}, once per pass of the loop. Thread: its own.
 */
final class PulseDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(PulseDriver.class);
    static final int QUEUE = 16_384;
    private static final long SLICE_NS = TimeUnit.SECONDS.toNanos(1);

    private record Edge(int input, boolean active, long nanos, long tag) { }

    private final PulseDriverConfig config;
    private final PulseLines lines;
    private final DriverContext context;
    private final BlockingQueue<Edge> edges = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    /** Each input's latest edge, kept even when the queue was full, so the level is right again after a storm. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Edge> latest;
    private final java.util.concurrent.atomic.AtomicIntegerArray overflowed;
    private final long[] committed;
    private final long[] committedSeq;
    private final BigDecimal[] lastRegister;
    private final long[] lastReadNanos;
    private final long[] reportedBounce;
    private final boolean[] stuck;
    private final Thread thread;
    private volatile boolean running;
    private PulseStore store;
    private Debouncer[] debouncers;

    /** How one edge is debounced: {@link Debouncer#edge} (a test puts a faulty decoder here). */
    @FunctionalInterface
    interface EdgeStep {
        boolean edge(Debouncer debouncer, boolean active, long nanos, long tag);
    }

    private final EdgeStep edgeStep;
    private final DecodeGuard guard;

    PulseDriver(PulseDriverConfig config, PulseLines lines, DriverContext context) {
        this(config, lines, context, Debouncer::edge);
    }

    PulseDriver(PulseDriverConfig config, PulseLines lines, DriverContext context, EdgeStep edgeStep) {
        this.config = config;
        this.lines = lines;
        this.context = context;
        this.edgeStep = edgeStep;
        this.guard = context.decodeGuard();
        int n = config.inputs().size();
        latest = new java.util.concurrent.atomic.AtomicReferenceArray<>(n);
        overflowed = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        committed = new long[n];
        committedSeq = new long[n];
        lastRegister = new BigDecimal[n];
        lastReadNanos = new long[n];
        reportedBounce = new long[n];
        stuck = new boolean[n];
        thread = new Thread(this::run, "pulse-" + context.sourceName());
        thread.setDaemon(true);
    }

    /** The store file of a source: {@code <state_dir>/pulse-<source>.db}. */
    static Path storeFile(Path stateDir, String source) {
        return stateDir.resolve("pulse-" + source.replaceAll("[^A-Za-z0-9._-]", "_") + ".db");
    }

    @Override public void start() {
        if (context.stateDir().isEmpty()) throw new IllegalStateException("the pulse driver needs a state directory for its counts");
        running = true;
        thread.start();
    }

    @Override public CompletableFuture<List<Reading>> readNow(MeterId meter) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("pulse inputs are read out every interval"));
    }

    private void run() {
        long backoffMs = 1000;
        while (running) {
            try {
                context.heartbeat().beat();
                openStore();
                debouncers = new Debouncer[config.inputs().size()];
                boolean[] levels = lines.open(this::edge, i -> committedSeq[i]);
                long now = System.nanoTime();
                for (int i = 0; i < levels.length; i++) {
                    debouncers[i] = new Debouncer(config.inputs().get(i).debounce().toNanos(), levels[i], now);
                    lastReadNanos[i] = now;
                }
                LOG.info("{}: counting pulses on {} input(s) ({})", context.sourceName(), levels.length, config.provider());
                backoffMs = 1000;
                count();
            } catch (IOException | SQLException e) {
                context.health().transportError(context.sourceName(), e.getMessage());
                LOG.warn("{}: {}; retrying in {} ms", context.sourceName(), e.getMessage(), backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                lines.close();
            }
            try {
                context.heartbeat().willBlock(Duration.ofMillis(backoffMs + 1000));
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                break;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
        context.heartbeat().stop();
        if (store != null) store.close();
    }

    private void edge(int input, boolean active, long nanos, long tag) {
        Edge e = new Edge(input, active, nanos, tag);
        latest.set(input, e);
        if (!edges.offer(e)) {
            dropped.incrementAndGet();
            overflowed.set(input, 1);
        }
    }

    private void openStore() throws SQLException, IOException, InterruptedException {
        if (store != null) return;
        store = PulseStore.open(storeFile(context.stateDir().get(), context.sourceName()));
        long nowMs = context.clock().millis();
        for (int i = 0; i < config.inputs().size(); i++) {
            PulseInput in = config.inputs().get(i);
            String key = in.meter().toString();
            PulseStore.Counter c = store.load(key);
            if (c == null) {
                c = new PulseStore.Counter(0, 0, in.startValue());
                store.reset(key, c, nowMs);
            } else if (c.startValue().compareTo(in.startValue()) != 0) {
                // the technician set a new start value (re-read the meter's display): count from it
                PulseStore.Counter next = new PulseStore.Counter(0, c.wireSeq(), in.startValue());
                if (in.register(0).compareTo(registerOf(in, c)) < 0) {
                    context.health().raiseAlarm(new Alarm(Alarm.Kind.COUNTER_BACKWARDS, key));
                    LOG.warn("{}: {} starts again at {} {}, below the {} already counted", context.sourceName(), key,
                            in.startValue().toPlainString(), in.unit(), registerOf(in, c).toPlainString());
                }
                store.reset(key, next, nowMs);
                c = next;
            }
            committed[i] = c.count();
            committedSeq[i] = c.wireSeq();
        }
    }

    private static BigDecimal registerOf(PulseInput in, PulseStore.Counter c) {
        return new PulseInput(in.meter(), in.bcmPin(), in.pull(), in.activeLow(), in.debounce(), in.pulsesPerUnit(), in.unit(),
                c.startValue(), in.wire()).register(c.count());
    }

    /** The counting loop: edges → debounce → commit → acknowledge; read-outs on schedule. */
    private void count() throws InterruptedException, SQLException {
        int n = debouncers.length;
        long[] pending = new long[n];
        long[] pendingSeq = new long[n];
        long nextReadout = System.nanoTime() + config.interval().toNanos();
        long lag = lines.settleLagNanos();
        while (running) {
            context.heartbeat().beat();
            long now = System.nanoTime();
            long wake = Math.min(nextReadout, now + SLICE_NS);
            for (Debouncer d : debouncers) {
                long deadline = d.deadline();
                if (deadline != Long.MAX_VALUE) wake = Math.min(wake, deadline + lag);
            }
            Edge e = edges.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
            while (e != null) {
                if (debounced(e)) counted(e.input(), pending, pendingSeq);
                e = edges.poll();
            }
            for (int i = 0; i < n; i++) {
                if (overflowed.getAndSet(i, 0) == 0) continue;
                // edges were dropped: take the line's latest level (a no-op when it is already the level)
                if (debounced(latest.get(i))) counted(i, pending, pendingSeq);
            }
            now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (debouncers[i].settle(now - lag)) counted(i, pending, pendingSeq);
            }
            commit(pending, pendingSeq);
            reportInputs(now);
            if (now >= nextReadout) {
                readout(now);
                nextReadout = now + config.interval().toNanos();
            }
        }
    }

    /** Debounces one edge, guarded: a fault on it is a counted bad input ({@code other}) and the edge is dropped. */
    private boolean debounced(Edge e) {
        try {
            return guard.decode(() -> edgeStep.edge(debouncers[e.input()], e.active(), e.nanos(), e.tag()));
        } catch (DecodeException x) {
            context.health().badInput(context.sourceName(), x.kind());
            return false;
        }
    }

    private void counted(int input, long[] pending, long[] pendingSeq) {
        pending[input]++;
        pendingSeq[input] = Math.max(pendingSeq[input], debouncers[input].acceptedTag());
    }

    /** Makes the pending pulses durable, then tells the lines (the simulator's wire acknowledges). */
    private void commit(long[] pending, long[] pendingSeq) throws SQLException {
        Map<String, long[]> added = new HashMap<>();
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] > 0) added.put(config.inputs().get(i).meter().toString(), new long[]{pending[i], pendingSeq[i]});
        }
        if (added.isEmpty()) return;
        store.add(added, context.clock().millis()); // on failure the pulses stay pending for the next pass
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] == 0) continue;
            committed[i] += pending[i];
            committedSeq[i] = Math.max(committedSeq[i], pendingSeq[i]);
            pending[i] = 0;
            lines.committed(i, committedSeq[i]);
        }
    }

    /**
     * Counts bad input once per pass, not per edge (a storm must not cost a call per edge): a pass
     * that dropped edges counts one {@code length}, an input that bounced in a pass one {@code syntax}.
     * Raises and clears {@code input_stuck}.
     */
    private void reportInputs(long now) {
        if (dropped.getAndSet(0) > 0) context.health().badInput(context.sourceName(), DecodeException.Kind.LENGTH);
        for (int i = 0; i < debouncers.length; i++) {
            long bounce = debouncers[i].rejected();
            if (bounce > reportedBounce[i]) context.health().badInput(context.sourceName(), DecodeException.Kind.SYNTAX);
            reportedBounce[i] = bounce;
            if (config.stuckAfter().isZero()) continue;
            boolean nowStuck = debouncers[i].activeLongerThan(config.stuckAfter().toNanos(), now);
            if (nowStuck != stuck[i]) {
                stuck[i] = nowStuck;
                Alarm alarm = new Alarm(Alarm.Kind.INPUT_STUCK, context.sourceName() + "/" + config.inputs().get(i).bcmPin());
                if (nowStuck) {
                    LOG.warn("{}: input on pin {} active for more than {}", context.sourceName(), config.inputs().get(i).bcmPin(), config.stuckAfter());
                    context.health().raiseAlarm(alarm);
                } else {
                    context.health().clearAlarm(alarm);
                }
            }
        }
    }

    /** Each input's committed register, and its power or flow since the last read-out. */
    private void readout(long now) throws InterruptedException {
        Instant at = context.clock().instant();
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < debouncers.length; i++) {
            PulseInput in = config.inputs().get(i);
            BigDecimal register = in.register(committed[i]);
            out.add(Reading.of(in.meter(), in.quantity(), in.registerUnit(), register, null, at));
            if (lastRegister[i] != null && now > lastReadNanos[i]) {
                // Wh per hour = W; m3 per hour = m3/h
                BigDecimal hours = BigDecimal.valueOf(now - lastReadNanos[i]).divide(BigDecimal.valueOf(3_600_000_000_000L), MathContext.DECIMAL64);
                BigDecimal rate = register.subtract(lastRegister[i]).divide(hours, MathContext.DECIMAL64).setScale(3, RoundingMode.HALF_EVEN);
                out.add(Reading.of(in.meter(), in.rateQuantity(), in.rateUnit(), rate.stripTrailingZeros().scale() < 0 ? rate.setScale(0) : rate.stripTrailingZeros(), null, at));
            }
            lastRegister[i] = register;
            lastReadNanos[i] = now;
            context.health().meterHeard(in.meter(), null);
        }
        context.sink().accept(out);
    }

    /** Pulses durably counted on input {@code i} (for tests). */
    long committed(int i) { return committed[i]; }

    @Override public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lines.close();
    }
}
