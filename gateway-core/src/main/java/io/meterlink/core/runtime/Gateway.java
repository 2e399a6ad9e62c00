package io.meterlink.core.runtime;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.SourceConfig;
import io.meterlink.core.metrics.MetricsEndpoint;
import io.meterlink.core.metrics.MetricsSection;
import io.meterlink.core.metrics.MetricsText;
import io.meterlink.core.status.CertificateFiles;
import io.meterlink.core.status.NativeSqlite;
import io.meterlink.core.status.Alarm;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.Version;
import io.meterlink.core.uplink.UplinkStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The running gateway: the one place where the object graph is wired. {@link #start} opens the
 * buffer, starts the uplink, then each source's driver; {@link #close} stops the drivers first, then
 * flushes the buffer's pending group commit, closes the uplink, then closes the buffer.
 *
 * <p>Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** System property: print {@code ACCEPTED <first>-<last>} on stdout after each commit. */
    public static final String TRACE_ACCEPTED = "meterlink.trace.accepted";
    private static final UplinkStats NO_UPLINK = new UplinkStats(false, 0, 0, 0, 0, null);
    /** Loop names in {@link #stuckLoops()}: the buffer writer, the uplink, and {@code source:<name>} per driver. */
    public static final String BUFFER_WRITER = "buffer-writer";
    public static final String UPLINK = "uplink";
    private static final BufferStats NO_BUFFER = new BufferStats(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, List.of());

    private final GatewayConfig config;
    private final Clock clock;
    private final Instant startedAt;
    private final Buffer buffer;
    private final HealthRegistry health;
    private final BufferSink sink;
    private final String version;
    private final List<Driver> drivers = new ArrayList<>();
    private final List<String> alarms = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Reading>>> observers = new CopyOnWriteArrayList<>();
    private volatile UplinkService uplink;
    private final CertificateExpiry certificate;
    private final Liveness liveness = new Liveness(System::nanoTime);
    private final Heartbeat writerBeat = liveness.register(BUFFER_WRITER);
    private CompletableFuture<Void> writerProbe;
    private volatile BufferStats lastBufferStats = NO_BUFFER;
    private final Map<String, LongAdder> readingsBySource = new ConcurrentHashMap<>();
    private volatile MetricsEndpoint metrics;
    private Thread shutdownHook;
    private boolean closed;
    private final CompletableFuture<GatewayException> fatal = new CompletableFuture<>();

    private Gateway(GatewayConfig config, Clock clock, Buffer buffer, AcceptedListener accepted) {
        this.config = config;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.buffer = buffer;
        this.health = new HealthRegistry(clock, SourceConfig.DEFAULT_EXPECTED_INTERVAL, 10_000);
        this.sink = new BufferSink(buffer, accepted);
        this.version = Version.current();
        this.certificate = config.uplink().certFile().map(CertificateExpiry::new).orElse(null);
        buffer.onFatal(e -> fatal.complete(new GatewayException("the buffer cannot store readings any more: " + e.getMessage(), e)));
    }

    /**
     * Completes when the gateway cannot go on (a storage fault beyond recovery): the caller should
     * close it and exit non-zero so that systemd restarts the service. Never completes otherwise.
     */
    public CompletableFuture<GatewayException> fatal() {
        return fatal;
    }

    /**
     * Starts a gateway with the real parts (SQLite buffer, MQTT uplink), the system clock, and the
     * accepted-trace when {@code -Dmeterlink.trace.accepted=true}.
     */
    public static Gateway start(GatewayConfig config) throws GatewayException {
        AcceptedListener accepted = Boolean.getBoolean(TRACE_ACCEPTED) ? AcceptedListener.trace(System.out) : AcceptedListener.NONE;
        return start(config, new StandardParts(), Clock.systemUTC(), accepted);
    }

    /** Starts a gateway from the given parts. On failure everything already started is closed again. */
    public static Gateway start(GatewayConfig config, GatewayParts parts, Clock clock, AcceptedListener accepted)
            throws GatewayException {
        Objects.requireNonNull(config, "config");
        ReadingEncoder encoder = parts.encoder(config.gatewayId());
        Buffer buffer;
        try {
            buffer = parts.openBuffer(config.buffer(), encoder, clock);
        } catch (Exception e) {
            throw new GatewayException("cannot open the buffer " + config.buffer().path() + ": " + e.getMessage(), e);
        }
        Gateway gateway = new Gateway(config, clock, buffer, accepted);
        try {
            gateway.uplink = parts.uplink(config.uplink(), config.gatewayId(), buffer, gateway::status, clock);
            gateway.uplink.heartbeat(gateway.liveness.register(UPLINK));
            gateway.uplink.start();
            gateway.startDrivers();
        } catch (RuntimeException e) {
            gateway.close();
            throw new GatewayException("cannot start: " + e.getMessage(), e);
        }
        LOG.info("Meterlink {} started: gateway {}, {} source(s), buffer {}",
                gateway.version, config.gatewayId(), config.sources().size(), config.buffer().path());
        if (config.sources().isEmpty()) {
            LOG.warn("No sources configured: the gateway only drains its buffer");
        }
        LOG.info("Java {}, {}", System.getProperty("java.version"), NativeSqlite.describe());
        config.uplink().keyFile().map(CertificateFiles::keyFileWarning).ifPresent(LOG::warn);
        gateway.startMetrics();
        return gateway;
    }

    /** The optional local metrics endpoint ({@code metrics.listen}); a failure to bind raises an alarm, nothing more. */
    private void startMetrics() {
        MetricsSection.of(config).listen().ifPresent(address -> {
            try {
                metrics = MetricsEndpoint.start(address, this::status, () -> MetricsText.Sources.of(health, readingsBySource()));
            } catch (IOException | RuntimeException e) {
                LOG.error("Metrics endpoint on {} not started: {}", address, e.toString());
                raiseAlarm("metrics_unavailable");
            }
        });
    }

    /** The bound metrics port, or -1 when the endpoint is off. */
    public int metricsPort() {
        MetricsEndpoint m = metrics;
        return m == null ? -1 : m.port();
    }

    /** Readings each source handed over since start (accepted into the pre-commit queue), by source name. */
    public Map<String, Long> readingsBySource() {
        Map<String, Long> out = new java.util.TreeMap<>();
        readingsBySource.forEach((name, n) -> out.put(name, n.sum()));
        return out;
    }

    private void startDrivers() {
        for (SourceConfig source : config.sources()) {
            Health sourceHealth = health.forSource(source.name(), source.expectedInterval());
            LongAdder counted = readingsBySource.computeIfAbsent(source.name(), n -> new LongAdder());
            ReadingSink sourceSink = readings -> {
                accept(readings);
                if (readings != null) counted.add(readings.size());
            };
            DriverContext context = new Context(source.name(), sourceSink, sourceHealth, clock,
                    liveness.register("source:" + source.name()), config.stateDir());
            try {
                Driver driver = source.spec().create(context);
                synchronized (this) {
                    drivers.add(driver);
                }
                driver.start();
            } catch (RuntimeException e) {
                // one broken source must not stop the others: alarm and carry on
                LOG.error("Source {} ({}) failed to start", source.name(), source.driver(), e);
                alarms.add(new Alarm(Alarm.Kind.SOURCE_FAILED, source.name()).text());
            }
        }
    }

    /** What every driver writes to: the buffer first, then the observers. */
    private void accept(List<Reading> readings) throws InterruptedException {
        sink.accept(readings);
        if (readings == null || readings.isEmpty()) return;
        for (Consumer<List<Reading>> o : observers) {
            try {
                o.accept(readings);
            } catch (RuntimeException e) {
                LOG.warn("A reading observer failed", e);
            }
        }
    }

    /**
     * Shows {@code observer} every list of readings a driver hands over, after it went to the buffer
     * (handed over, not yet committed), on the driver's thread: it must be quick and must not block.
     * For views such as the technician's latest values. Any thread.
     */
    public void observeReadings(Consumer<List<Reading>> observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /**
     * Reads one meter now through the first driver that knows it (asked in source order, see
     * {@link Driver#readNow}); its readings also go to the buffer and the observers. Blocks the caller
     * for at most {@code timeout} in all. Any thread.
     *
     * @throws NoSuchElementException no running driver knows the meter (or none can poll it)
     * @throws TimeoutException       the meter did not answer, or not within {@code timeout}
     * @throws GatewayException       the driver failed (line down, driver closed)
     */
    public List<Reading> readNow(MeterId meter, Duration timeout)
            throws InterruptedException, TimeoutException, GatewayException {
        Objects.requireNonNull(meter, "meter");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Driver> running;
        synchronized (this) {
            running = closed ? List.of() : List.copyOf(drivers);
        }
        for (Driver d : running) {
            CompletableFuture<List<Reading>> f = d.readNow(meter);
            try {
                return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnsupportedOperationException || cause instanceof NoSuchElementException) continue;
                if (cause instanceof TimeoutException t) throw t;
                throw new GatewayException("reading " + meter + " failed: " + cause.getMessage(), cause);
            } catch (TimeoutException e) {
                f.cancel(false); // the driver skips a request nobody waits for
                throw new TimeoutException(meter + " was not read within " + timeout.toMillis() + " ms");
            }
        }
        throw new NoSuchElementException("no source has heard meter " + meter + " or can poll it");
    }

    /** Closes this gateway when the JVM shuts down (SIGTERM, SIGINT); removed again by {@link #close}. */
    public synchronized Gateway closeOnShutdown() {
        if (shutdownHook == null && !closed) {
            shutdownHook = new Thread(this::close, "meterlink-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    /** Stops the drivers, flushes the buffer, closes the uplink, closes the buffer. Idempotent; callers wait for the first to finish. */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        LOG.info("Stopping gateway {}", config.gatewayId());
        MetricsEndpoint m = metrics;
        if (m != null) m.close();
        List<Driver> reversed = new ArrayList<>(drivers);
        Collections.reverse(reversed);
        for (Driver d : reversed) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.warn("A driver failed to close", e);
            }
        }
        // make every reading the drivers handed over durable first (the uplink may take a while to close),
        // then the uplink: acknowledgements that arrive while it closes are still confirmed, and the
        // buffer's close commits them
        try {
            buffer.flush().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.error("Flushing the buffer failed; closing it will try again", e);
        }
        UplinkService u = uplink;
        if (u != null) {
            try {
                u.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the uplink failed", e);
            }
        }
        try {
            lastBufferStats = buffer.stats();
        } catch (RuntimeException e) {
            // keep the previous figures
        }
        try {
            buffer.close();
        } catch (RuntimeException e) {
            LOG.error("Closing the buffer failed", e);
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
        LOG.info("Gateway {} stopped", config.gatewayId());
    }

    /** A snapshot for the retained status message and {@code meterlink status}. */
    public StatusSnapshot status() {
        BufferStats b;
        try {
            b = buffer.stats();
            lastBufferStats = b;
        } catch (RuntimeException e) {
            b = lastBufferStats; // closing, or a transient read failure: show the last figures
        }
        UplinkService u = uplink;
        UplinkStats us = u == null ? NO_UPLINK : u.stats();
        List<String> all = new ArrayList<>(b.alarms());
        all.addAll(alarms);
        all.addAll(health.alarms());
        if (sink.failed() > 0) all.add("buffer_write_failed:" + sink.failed());
        Instant now = clock.instant();
        Long daysLeft = certificate == null ? null : certificate.daysLeft(now);
        if (daysLeft != null && daysLeft < 0) all.add("certificate_expired");
        if (u != null && u.credentialsRefused()) all.add("certificate_refused");
        return new StatusSnapshot(config.gatewayId(), version, now.toEpochMilli(),
                Math.max(0, now.getEpochSecond() - startedAt.getEpochSecond()), b, us,
                health.metersHeard(), health.staleMeters(), health.badInputByKind(), List.copyOf(all), daysLeft);
    }

    /** Raises an alarm shown in status until {@link #clearAlarm}; a no-op when it is already raised. Any thread. */
    public void raiseAlarm(String alarm) {
        ((CopyOnWriteArrayList<String>) alarms).addIfAbsent(alarm);
    }

    /** Clears an alarm raised with {@link #raiseAlarm}. Any thread. */
    public void clearAlarm(String alarm) {
        alarms.remove(alarm);
    }

    /** The running uplink (commands, reconnect after a renewal); {@code null} before start. */
    public UplinkService uplink() { return uplink; }

    public GatewayConfig config() { return config; }

    public HealthRegistry health() { return health; }

    /** The sink drivers write to (for embedding and tests): the buffer, then the reading observers. */
    public ReadingSink sink() { return this::accept; }

    /**
     * The loops that stopped making progress (docs/packaging.md, "Watchdog"); empty while all do. Also probes the
     * buffer writer: an empty {@link Buffer#flush()} goes through its queue like any commit, and its
     * completion is the writer's heartbeat (one probe at a time). For the service watchdog's thread.
     */
    public List<Liveness.Stuck> stuckLoops() {
        synchronized (liveness) {
            if (writerProbe == null || writerProbe.isDone()) {
                // the last probe went through: the writer was alive; the next one has a window to complete
                if (writerProbe != null && !writerProbe.isCompletedExceptionally()) writerBeat.willBlock(liveness.window());
                try {
                    writerProbe = buffer.flush();
                } catch (RuntimeException e) {
                    LOG.debug("buffer probe failed: {}", e.toString());
                }
            }
        }
        List<Liveness.Stuck> stuck = liveness.stuck();
        if (!stuck.isEmpty() && buffer.storageFaultActive()) {
            // While a storage fault lasts the writer retries by design and the drivers wait on its bounded
            // queue (docs/storage.md): a restart would only drop the readings waiting there. A fault beyond
            // recovery ends the process through fatal() instead; other loops are still watched.
            stuck = stuck.stream()
                    .filter(s -> !s.loop().equals(BUFFER_WRITER) && !s.loop().startsWith("source:"))
                    .toList();
        }
        return stuck;
    }

    /** The loops' heartbeats. */
    public Liveness liveness() { return liveness; }

    private record Context(String sourceName, ReadingSink sink, Health health, Clock clock, Heartbeat heartbeat,
                           java.nio.file.Path stateDir) implements DriverContext {
    }
}
