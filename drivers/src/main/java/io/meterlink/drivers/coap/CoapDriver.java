package io.meterlink.drivers.coap;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.alarm.Alarm;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads CoAP meters: observes their resource (RFC 7641) or polls it, decodes each SenML payload
 * ({@link Senml}) and hands the readings on. Californium's threads only check the flood limit and
 * queue the payload; everything else runs on the driver's one thread. An observation that has been
 * silent for {@code reregister_after} (the meter restarted and forgot us, or the network dropped
 * the notifications) is forgotten and registered again; so is one the meter refused or cancelled.
 * Payloads closer together than {@code min_gap}, or beyond {@link #MAX_QUEUED} waiting, are
 * dropped and counted as bad input ({@code other}); malformed ones by their decode kind. Thread: its own.
 */
final class CoapDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(CoapDriver.class);
    static final int MAX_QUEUED = 256;

    private final CoapDriverConfig config;
    private final DriverContext context;
    private final ScheduledExecutorService thread;
    private final AtomicInteger queued = new AtomicInteger();
    private final List<MeterSession> sessions = new ArrayList<>();
    private CoapEndpoint plain;
    private volatile boolean closed;

    /** One payload to its SenML records (a test puts a faulty decoder here). */
    @FunctionalInterface
    interface Parser {
        List<SenmlRecord> parse(byte[] payload) throws DecodeException;
    }

    private final Parser parser;
    private final DecodeGuard guard;

    CoapDriver(CoapDriverConfig config, DriverContext context) {
        this(config, context, Senml::parse);
    }

    CoapDriver(CoapDriverConfig config, DriverContext context, Parser parser) {
        this.config = config;
        this.context = context;
        this.parser = parser;
        this.guard = context.decodeGuard();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coap-" + context.sourceName());
            t.setDaemon(true);
            return t;
        });
    }

    @Override public void start() {
        Configuration c = CoapEndpoints.configuration(config.timeout().toMillis());
        for (CoapMeter m : config.meters()) sessions.add(new MeterSession(m, c));
        thread.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    /** Once a second on the driver's thread: heartbeat, (re)registrations and polls that are due. */
    private void tick() {
        context.heartbeat().beat();
        long now = System.nanoTime();
        for (MeterSession s : sessions) {
            try {
                s.tick(now);
            } catch (RuntimeException e) {
                LOG.warn("{}: {}: {}", context.sourceName(), s.meter.meter(), e.toString());
                context.health().transportError(context.sourceName(), s.meter.meter() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public CompletableFuture<List<Reading>> readNow(MeterId meter) {
        for (MeterSession s : sessions) {
            if (s.meter.meter().equals(meter)) {
                CompletableFuture<List<Reading>> f = new CompletableFuture<>();
                thread.execute(() -> s.readNow(f));
                return f;
            }
        }
        return CompletableFuture.failedFuture(new java.util.NoSuchElementException(meter.toString()));
    }

    /** Everything about one meter; used on the driver's thread except {@link #arrived}. */
    private final class MeterSession {
        final CoapMeter meter;
        final Configuration configuration;
        final SenmlReadings mapper;
        final AtomicLong lastArrival = new AtomicLong(Long.MIN_VALUE);
        CoapClient client;
        CoapEndpoint endpoint;
        CoapObserveRelation relation;
        long lastNotification;
        long nextAction = Long.MIN_VALUE;
        long backoffNs = TimeUnit.SECONDS.toNanos(1);

        MeterSession(CoapMeter meter, Configuration configuration) {
            this.meter = meter;
            this.configuration = configuration;
            this.mapper = new SenmlReadings(meter.meter());
        }

        void tick(long now) {
            if (closed) return;
            if (client == null) {
                if (now < nextAction) return;
                try {
                    open();
                } catch (IOException e) {
                    context.health().transportError(context.sourceName(), e.getMessage());
                    LOG.warn("{}: {}", context.sourceName(), e.getMessage());
                    retryLater(now);
                    return;
                }
            }
            if (meter.observe()) {
                boolean silent = relation != null && now - lastNotification > meter.reregisterAfter().toNanos();
                if (relation != null && (relation.isCanceled() || silent)) {
                    if (silent) {
                        context.health().transportError(context.sourceName(), meter.meter() + ": no notification for "
                                + meter.reregisterAfter().toSeconds() + " s; registering again");
                        LOG.info("{}: {} silent for {}; registering again", context.sourceName(), meter.meter(), meter.reregisterAfter());
                    }
                    // the meter forgot us, refused or cancelled: drop our side (telling a meter that still has it), then register anew
                    if (silent) relation.proactiveCancel();
                    else relation.reactiveCancel();
                    relation = null;
                    if (silent && meter.secure()) {
                        // a restarted meter has also lost our DTLS session: a new endpoint shakes hands again
                        disconnect();
                        nextAction = now;
                        return;
                    }
                    // silent: at once; refused or cancelled by the meter: not before an interval (no GET storm)
                    nextAction = silent ? now : now + meter.interval().toNanos();
                }
                if (relation == null && now >= nextAction) register(now);
            } else if (now >= nextAction) {
                nextAction = now + meter.interval().toNanos();
                client.get(handler(null));
            }
        }

        private void retryLater(long now) {
            nextAction = now + backoffNs;
            backoffNs = Math.min(backoffNs * 2, TimeUnit.MINUTES.toNanos(5));
        }

        private void open() throws IOException {
            CoapEndpoint e;
            if (meter.secure()) {
                e = CoapEndpoints.secure(configuration, meter);
            } else {
                synchronized (CoapDriver.this) {
                    if (plain == null) plain = CoapEndpoints.plain(configuration);
                    e = plain;
                }
            }
            try {
                e.start();
            } catch (IOException ex) {
                throw new IOException(meter.meter() + ": cannot open a UDP socket: " + ex.getMessage(), ex);
            }
            if (meter.secure()) endpoint = e;
            client = new CoapClient(meter.uri());
            client.setEndpoint(e);
            client.setTimeout(config.timeout().toMillis());
        }

        private void register(long now) {
            lastNotification = now; // the first answer is due within reregister_after
            relation = client.observe(handler(null));
        }

        private CoapHandler handler(CompletableFuture<List<Reading>> reply) {
            return new CoapHandler() {
                @Override public void onLoad(CoapResponse response) { arrived(response, reply); }

                @Override public void onError() {
                    thread.execute(() -> {
                        context.health().meterSilent(context.sourceName(), meter.uri().toString());
                        if (reply != null) reply.completeExceptionally(new TimeoutException(meter.meter() + " did not answer"));
                        if (meter.observe() && relation != null) relation.proactiveCancel();
                    });
                }
            };
        }

        /** On a Californium thread: the flood limit, then onto the driver's thread. */
        void arrived(CoapResponse response, CompletableFuture<List<Reading>> reply) {
            long now = System.nanoTime();
            long last = lastArrival.get();
            boolean tooSoon = reply == null && last != Long.MIN_VALUE && now - last < meter.minGap().toNanos();
            if (tooSoon || queued.incrementAndGet() > MAX_QUEUED) {
                if (!tooSoon) queued.decrementAndGet();
                context.health().badInput(context.sourceName(), DecodeException.Kind.OTHER);
                return;
            }
            lastArrival.set(now);
            byte[] payload = response.getPayload();
            boolean success = response.isSuccess();
            String code = response.getCode().toString();
            thread.execute(() -> {
                queued.decrementAndGet();
                handle(payload, success, code, reply);
            });
        }

        private void handle(byte[] payload, boolean success, String code, CompletableFuture<List<Reading>> reply) {
            lastNotification = System.nanoTime();
            backoffNs = TimeUnit.SECONDS.toNanos(1);
            if (!success) {
                context.health().transportError(context.sourceName(), meter.meter() + ": answered " + code);
                if (reply != null) reply.completeExceptionally(new IOException(meter.meter() + " answered " + code));
                return;
            }
            List<Reading> readings;
            try {
                SenmlReadings.Result r = guard.decode(() -> mapper.map(parser.parse(payload == null ? new byte[0] : payload), context.clock().instant()));
                if (r.unreadable() > 0) context.health().badInput(context.sourceName(), DecodeException.Kind.UNSUPPORTED);
                if (!r.backwards().isEmpty()) {
                    LOG.warn("{}: {}: accumulator {} went backwards", context.sourceName(), meter.meter(), r.backwards());
                    context.health().raiseAlarm(new Alarm(Alarm.Kind.COUNTER_BACKWARDS, meter.meter().toString()));
                }
                readings = r.readings();
            } catch (DecodeException e) {
                LOG.debug("{}: {}: {}", context.sourceName(), meter.meter(), e.getMessage());
                context.health().badInput(context.sourceName(), e.kind());
                if (reply != null) reply.completeExceptionally(e);
                return;
            }
            context.health().meterHeard(meter.meter(), null);
            try {
                if (!readings.isEmpty()) context.sink().accept(readings);
                if (reply != null) reply.complete(readings);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void readNow(CompletableFuture<List<Reading>> f) {
            if (client == null) {
                f.completeExceptionally(new IOException(meter.meter() + ": not connected"));
                return;
            }
            client.get(handler(f));
        }

        private void disconnect() {
            if (client != null) client.shutdown();
            if (endpoint != null) endpoint.destroy();
            client = null;
            endpoint = null;
        }

        void close() {
            if (relation != null) relation.proactiveCancel();
            disconnect();
        }
    }

    @Override public void close() {
        closed = true;
        try {
            thread.submit(() -> sessions.forEach(MeterSession::close)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("{}: closing: {}", context.sourceName(), e.toString());
        }
        thread.shutdownNow();
        context.heartbeat().stop();
        synchronized (this) {
            if (plain != null) plain.destroy();
        }
    }
}
