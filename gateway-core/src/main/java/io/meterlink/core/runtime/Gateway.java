package io.meterlink.core.runtime;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.Health;
import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.OpeningBuffer;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.SourceConfig;
import io.meterlink.core.metrics.MetricsEndpoint;
import io.meterlink.core.metrics.MetricsSection;
import io.meterlink.core.metrics.MetricsText;
import io.meterlink.core.status.CertificateExpiry;
import io.meterlink.core.status.CertificateFiles;
import io.meterlink.core.status.NativeSqlite;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.Version;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.core.tls.TlsMaterial;
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
public final class Gateway implements GatewayRuntime, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** System property: print {@code ACCEPTED <first>-<last>} on stdout after each commit. */
    public static final String TRACE_ACCEPTED = "meterlink.trace.accepted";
    private static final UplinkStats NO_UPLINK = new UplinkStats(false, 0, 0, 0, 0, null);
    /** Loop names in {@link #stuckLoops()}: the buffer writer, the uplink, and {@code source:<name>} per driver. */
    public static final String BUFFER_WRITER = "buffer-writer";
    public static final String UPLINK = "uplink";
    private static final BufferStats NO_BUFFER = new BufferStats(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, List.of());

    private volatile GatewayConfig config;
    private final Clock clock;
    private final Instant startedAt;
    private final Buffer buffer;
    private final HealthRegistry health;
    private final BufferSink sink;
    private final String version;
    /** The running drivers by source name, in start order; guarded by {@code this}. */
    private final Map<String, Driver> drivers = new java.util.LinkedHashMap<>();
    /** The configuration each running (or failed) source was started from; guarded by {@code this}. */
    private final Map<String, SourceConfig> sourceConfigs = new java.util.LinkedHashMap<>();
    private final CompletableFuture<String> restart = new CompletableFuture<>();
    private final CopyOnWriteArrayList<Alarm> alarms = new CopyOnWriteArrayList<>();
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
    /** Started by {@link #extend}, closed first (newest first) by {@link #close}. */
    private final List<GatewayExtension> extensions = new ArrayList<>();
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
        return start(config, TlsMaterial.none());
    }

    /**
     * As {@link #start(GatewayConfig)}, the uplink's first TLS context built from {@code parsedTls}, the
     * files as {@code config}'s check parsed them ({@link io.meterlink.core.config.ConfigLoader#readChecked}).
     */
    public static Gateway start(GatewayConfig config, TlsMaterial parsedTls) throws GatewayException {
        AcceptedListener accepted = Boolean.getBoolean(TRACE_ACCEPTED) ? AcceptedListener.trace(System.out) : AcceptedListener.NONE;
        return start(config, new StandardParts(parsedTls), Clock.systemUTC(), accepted);
    }

    /** Starts a gateway from the given parts. On failure everything already started is closed again. */
    public static Gateway start(GatewayConfig config, GatewayParts parts, Clock clock, AcceptedListener accepted)
            throws GatewayException {
        Objects.requireNonNull(config, "config");
        ReadingEncoder encoder = parts.encoder(config.gatewayId(), config.storedForm());
        // the buffer opens on its own thread while the uplink builds its TLS context and connects: the
        // first batch goes out as soon as both are ready (docs/benchmarks.md, "Start-up to the first batch")
        java.util.concurrent.Callable<Buffer> open;
        try { // the lock first, here: a second process must not get as far as connecting to the broker
            open = parts.claimBuffer(config.buffer(), encoder, clock);
        } catch (Exception e) {
            throw bufferFailure(config, e);
        }
        OpeningBuffer buffer = OpeningBuffer.start(open);
        Gateway gateway = new Gateway(config, clock, buffer, accepted);
        RuntimeException uplinkFailure = null;
        try {
            gateway.uplink = parts.uplink(config.uplink(), config.gatewayId(), buffer, gateway::status, clock);
            gateway.uplink.heartbeat(gateway.liveness.register(UPLINK));
            gateway.uplink.start();
        } catch (RuntimeException e) {
            uplinkFailure = e;
        }
        try { // the buffer's reason first: a bad buffer path is a configuration error (exit 2)
            buffer.opened();
        } catch (Exception e) {
            gateway.close();
            throw bufferFailure(config, e);
        } catch (Error e) { // no SQLite library, no memory: nothing may keep running
            gateway.close();
            throw e;
        }
        if (uplinkFailure != null) {
            gateway.close();
            throw new GatewayException("cannot start: " + uplinkFailure.getMessage(), uplinkFailure);
        }
        try {
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

    private static GatewayException bufferFailure(GatewayConfig config, Exception e) {
        return new GatewayException("cannot open the buffer " + config.buffer().path() + ": " + e.getMessage(), e);
    }

    /** The optional local metrics endpoint ({@code metrics.listen}); a failure to bind raises an alarm, nothing more. */
    private void startMetrics() {
        MetricsSection.of(config).listen().ifPresent(address -> {
            try {
                metrics = MetricsEndpoint.start(address, this::status, () -> metricsSources(health, readingsBySource()));
            } catch (IOException | RuntimeException e) {
                LOG.error("Metrics endpoint on {} not started: {}", address, e.toString());
                raiseAlarm(Alarm.of(Alarm.Kind.METRICS_UNAVAILABLE));
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
        for (SourceConfig source : config.sources()) startSource(source);
    }

    /**
     * Completes (with the reason) when a restart of the process was asked for ({@link #requestRestart}):
     * the caller closes the gateway and exits with the restart code, and systemd starts it again.
     */
    public CompletableFuture<String> restartRequested() {
        return restart;
    }

    /** Asks the process to stop cleanly and be started again (remote {@code restart}, an applied update). Any thread. */
    public void requestRestart(String reason) {
        LOG.info("Restart requested: {}", reason);
        restart.complete(reason);
    }

    /** A source as it runs now: its driver, {@code running} or {@code failed}, and the readings it handed over since start. */
    public record SourceState(String name, String driver, String state, long readings) {
    }

    /** The configured sources and what runs of them, in configuration order. Any thread. */
    public synchronized List<SourceState> sources() {
        List<SourceState> out = new ArrayList<>();
        for (SourceConfig s : sourceConfigs.values()) {
            LongAdder n = readingsBySource.get(s.name());
            out.add(new SourceState(s.name(), s.driver(), drivers.containsKey(s.name()) ? "running" : "failed", n == null ? 0 : n.sum()));
        }
        return out;
    }

    /** What {@link #reconfigure} did, by source name. */
    public record Reconfigured(List<String> started, List<String> stopped, List<String> restarted, List<String> unchanged) {
    }

    /**
     * The settings of {@code next} that a running gateway cannot take without a process restart (the
     * buffer, the state directory, the gateway id, the topic prefix); empty when {@link #reconfigure}
     * applies all of it. Any thread.
     */
    public List<String> restartNeededFor(GatewayConfig next) {
        GatewayConfig now = config;
        List<String> out = new ArrayList<>();
        if (!now.buffer().asConfigured().equals(next.buffer().asConfigured())) out.add("buffer");
        if (!now.stateDir().equals(next.stateDir())) out.add("state_dir");
        if (!now.gatewayId().equals(next.gatewayId())) out.add("gateway_id");
        if (!now.uplink().topicPrefix().equals(next.uplink().topicPrefix())) out.add("topic_prefix");
        return out;
    }

    /**
     * Takes {@code next}'s sources without a restart: sources no longer configured are stopped, those
     * named in {@code changed} (their settings differ) are stopped and started again with the new
     * settings, new ones are started, and the others keep running untouched. The buffer stays open
     * throughout: readings a stopped driver handed over are already in it. The uplink is not touched
     * (its new settings go through {@link UplinkService#trial}); what needs a restart is listed by
     * {@link #restartNeededFor}. Any thread; serialised with {@link #close}.
     */
    public synchronized Reconfigured reconfigure(GatewayConfig next, java.util.Set<String> changed) {
        Objects.requireNonNull(next, "next");
        if (closed) throw new IllegalStateException("the gateway is closed");
        Map<String, SourceConfig> wanted = new java.util.LinkedHashMap<>();
        for (SourceConfig s : next.sources()) wanted.put(s.name(), s);
        List<String> started = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (String name : new ArrayList<>(sourceConfigs.keySet())) {
            if (!wanted.containsKey(name)) {
                stopSource(name);
                stopped.add(name);
            } else if (changed.contains(name) || !drivers.containsKey(name)) {
                stopSource(name);
                restarted.add(name);
            }
        }
        for (SourceConfig s : wanted.values()) {
            if (sourceConfigs.containsKey(s.name())) {
                unchanged.add(s.name());
                continue;
            }
            startSource(s);
            if (!restarted.contains(s.name())) started.add(s.name());
        }
        // keep the configuration order of the sources for status and commands
        Map<String, SourceConfig> ordered = new java.util.LinkedHashMap<>();
        wanted.keySet().forEach(n -> ordered.put(n, sourceConfigs.get(n)));
        sourceConfigs.clear();
        sourceConfigs.putAll(ordered);
        config = next;
        LOG.info("Reconfigured without a restart: started {}, stopped {}, restarted {}, unchanged {}", started, stopped, restarted, unchanged);
        return new Reconfigured(List.copyOf(started), List.copyOf(stopped), List.copyOf(restarted), List.copyOf(unchanged));
    }

    /** Stops one source's driver (it stays out of the watchdog's view) and forgets its failure alarm; caller holds {@code this}. */
    private void stopSource(String name) {
        Driver d = drivers.remove(name);
        sourceConfigs.remove(name);
        if (d != null) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.warn("Source {} failed to close", name, e);
            }
        }
        liveness.register("source:" + name).stop();
        alarms.remove(new Alarm(Alarm.Kind.SOURCE_FAILED, name));
    }

    private void startSource(SourceConfig source) {
        Health sourceHealth = health.forSource(source.name(), source.expectedInterval());
        LongAdder counted = readingsBySource.computeIfAbsent(source.name(), n -> new LongAdder());
        ReadingSink sourceSink = readings -> {
            accept(readings);
            if (readings != null) counted.add(readings.size());
        };
        DriverContext context = new Context(source.name(), sourceSink, sourceHealth, clock,
                liveness.register("source:" + source.name()), java.util.Optional.ofNullable(config.stateDir()));
        try {
            synchronized (this) {
                sourceConfigs.put(source.name(), source);
            }
            Driver driver = source.spec().create(context);
            synchronized (this) {
                drivers.put(source.name(), driver);
            }
            driver.start();
        } catch (RuntimeException e) {
            // one broken source must not stop the others: alarm and carry on
            LOG.error("Source {} ({}) failed to start", source.name(), source.driver(), e);
            synchronized (this) {
                Driver started = drivers.remove(source.name());
                if (started != null) started.close();
            }
            raiseAlarm(new Alarm(Alarm.Kind.SOURCE_FAILED, source.name()));
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
    @Override
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
    @Override
    public List<Reading> readNow(MeterId meter, Duration timeout)
            throws InterruptedException, TimeoutException, GatewayException {
        Objects.requireNonNull(meter, "meter");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Driver> running;
        synchronized (this) {
            running = closed ? List.of() : List.copyOf(drivers.values());
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
        for (int i = extensions.size() - 1; i >= 0; i--) {
            try {
                extensions.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("An extension failed to close", e);
            }
        }
        extensions.clear();
        MetricsEndpoint m = metrics;
        if (m != null) m.close();
        List<Driver> reversed = new ArrayList<>(drivers.values());
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

    /** The per-source figures of the metrics endpoint. */
    private static MetricsText.Sources metricsSources(HealthRegistry health, Map<String, Long> readingsBySource) {
        Map<String, Long> heard = new java.util.TreeMap<>();
        health.meters().forEach(m -> heard.merge(m.source(), 1L, Long::sum));
        return new MetricsText.Sources(readingsBySource, heard, health.badInputBySource(), health.transportErrors(),
                health.recordsWithoutReadingBySource());
    }

    /** A snapshot for the retained status message and {@code meterlink status}. */
    @Override
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
        List<Alarm> all = new ArrayList<>(b.alarms());
        all.addAll(alarms);
        all.addAll(health.alarms());
        if (sink.failed() > 0) all.add(new Alarm(Alarm.Kind.BUFFER_WRITE_FAILED, Long.toString(sink.failed())));
        Instant now = clock.instant();
        Long daysLeft = certificate == null ? null : certificate.daysLeft(now);
        if (daysLeft != null && daysLeft < 0) all.add(Alarm.of(Alarm.Kind.CERTIFICATE_EXPIRED));
        if (u != null && u.credentialsRefused()) all.add(Alarm.of(Alarm.Kind.CERTIFICATE_REFUSED));
        return new StatusSnapshot(config.gatewayId(), version, now.toEpochMilli(),
                Math.max(0, now.getEpochSecond() - startedAt.getEpochSecond()), b, us,
                health.metersHeard(), health.staleMeters(), health.badInputByKind(), List.copyOf(all), daysLeft);
    }

    /** Raises an alarm shown in status until {@link #clearAlarm}; a no-op when it is already raised. Any thread. */
    public void raiseAlarm(Alarm alarm) {
        alarms.addIfAbsent(Objects.requireNonNull(alarm, "alarm"));
    }

    /** Clears an alarm raised with {@link #raiseAlarm}. Any thread. */
    public void clearAlarm(Alarm alarm) {
        alarms.remove(alarm);
    }

    /** {@link #raiseAlarm} and {@link #clearAlarm} for the parts that raise alarms of their own (provisioning). */
    @Override
    public Alarms alarms() {
        return new Alarms() {
            @Override public void raise(Alarm alarm) { raiseAlarm(alarm); }

            @Override public void clear(Alarm alarm) { clearAlarm(alarm); }
        };
    }

    /**
     * Starts each of {@code factories} on this gateway, in order (the one wiring place of the parts
     * built on it: provisioning, the technician endpoint); they are closed first, newest first, when
     * the gateway closes. An extension that fails to start stops the ones started here and is thrown.
     */
    public synchronized void extend(List<GatewayExtension.Factory> factories) {
        if (closed) throw new IllegalStateException("the gateway is closed");
        List<GatewayExtension> started = new ArrayList<>();
        try {
            for (GatewayExtension.Factory f : factories) started.add(Objects.requireNonNull(f.start(this), "extension"));
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
            throw e;
        }
        extensions.addAll(started);
    }

    /** The running uplink (commands, reconnect after a renewal); {@code null} before start. */
    @Override
    public UplinkService uplink() { return uplink; }

    @Override
    public GatewayConfig config() { return config; }

    @Override
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
                           java.util.Optional<java.nio.file.Path> stateDir) implements DriverContext {
    }
}
