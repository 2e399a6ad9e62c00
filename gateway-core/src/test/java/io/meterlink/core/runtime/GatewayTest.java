package io.meterlink.core.runtime;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.StoredForm;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.SourceConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wiring and lifecycle of {@link Gateway} with in-memory parts; the real parts are exercised by GatewayIT. */
class GatewayTest {
    private static final MeterId METER = MeterId.of("test:TST:00000001");
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final FakeParts parts = new FakeParts();

    private static UplinkConfig uplink() {
        return new UplinkConfig("tcp://127.0.0.1:1", UplinkConfig.Protocol.MQTT5, "gw", "meterlink/v1",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true,
                500, 256 * 1024, 8, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofSeconds(20), Duration.ofSeconds(60));
    }

    private GatewayConfig config(SourceConfig... sources) {
        return new GatewayConfig(null, "gw-1", Path.of("/tmp/state"), BufferConfig.defaults(Path.of("/tmp/state/buffer.db")),
                uplink(), List.of(sources));
    }

    /** A source whose driver hands {@code n} readings to the sink and records its close. */
    private SourceConfig emitting(String name, int n) {
        DriverFactory.DriverSpec spec = context -> new Driver() {
            private Thread thread;

            @Override public void start() {
                thread = new Thread(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            context.sink().accept(List.of(Reading.of(METER, Quantity.VOLUME, Unit.M3,
                                    BigDecimal.valueOf(i), null, context.clock().instant())));
                            context.health().meterHeard(METER, -60);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                thread.start();
            }

            @Override public void close() {
                events.add("driver.close:" + name);
                thread.interrupt();
            }
        };
        return new SourceConfig(name, "test", Duration.ofMinutes(1), spec);
    }

    /** A source whose driver answers {@link Driver#readNow} with {@code answer}; start and close do nothing. */
    private static SourceConfig polling(String name, java.util.function.Function<MeterId, CompletableFuture<List<Reading>>> answer) {
        DriverFactory.DriverSpec spec = context -> new Driver() {
            @Override public void start() { }
            @Override public CompletableFuture<List<Reading>> readNow(MeterId meter) { return answer.apply(meter); }
            @Override public void close() { }
        };
        return new SourceConfig(name, "test", Duration.ofMinutes(1), spec);
    }

    @Test
    void readNow_asksEachDriverInTurn_untilOneKnowsTheMeter() throws Exception {
        Reading fresh = Reading.of(METER, Quantity.VOLUME, Unit.M3, new BigDecimal("7.250"), null, Instant.now());
        SourceConfig listening = polling("radio", m -> new Driver() {
            @Override public void start() { }
            @Override public void close() { }
        }.readNow(m)); // the SPI default: cannot poll
        SourceConfig other = polling("line1", m -> CompletableFuture.failedFuture(new java.util.NoSuchElementException("not here")));
        SourceConfig knowing = polling("line2", m -> m.equals(METER)
                ? CompletableFuture.completedFuture(List.of(fresh))
                : CompletableFuture.failedFuture(new java.util.NoSuchElementException("not here")));
        Gateway gw = Gateway.start(config(listening, other, knowing), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertEquals(List.of(fresh), gw.readNow(METER, Duration.ofSeconds(30)));
            assertThrows(java.util.NoSuchElementException.class, () -> gw.readNow(MeterId.of("test:TST:00000002"), Duration.ofSeconds(30)));
        } finally {
            gw.close();
        }
    }

    @Test
    void readNow_meterSilentOrTooSlow_isATimeout_andAFailedLineAGatewayException() throws Exception {
        CompletableFuture<List<Reading>> never = new CompletableFuture<>();
        Gateway slow = Gateway.start(config(polling("line1", m -> never)), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertThrows(TimeoutException.class, () -> slow.readNow(METER, Duration.ofMillis(50)));
            assertTrue(never.isCancelled(), "the abandoned request is cancelled");
        } finally {
            slow.close();
        }
        Gateway silent = Gateway.start(config(polling("line1", m -> CompletableFuture.failedFuture(new TimeoutException("silent")))),
                new FakeParts(), Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertThrows(TimeoutException.class, () -> silent.readNow(METER, Duration.ofSeconds(30)));
        } finally {
            silent.close();
        }
        Gateway broken = Gateway.start(config(polling("line1", m -> CompletableFuture.failedFuture(new java.io.IOException("line down")))),
                new FakeParts(), Clock.systemUTC(), AcceptedListener.NONE);
        try {
            GatewayException e = assertThrows(GatewayException.class, () -> broken.readNow(METER, Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("line down"), e.getMessage());
        } finally {
            broken.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void readingObservers_seeWhatDriversHandOver_afterTheBuffer_andAFailingOneHarmsNothing() throws Exception {
        List<Reading> seen = new CopyOnWriteArrayList<>();
        Gateway gw = Gateway.start(config(emitting("a", 5)), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            gw.observeReadings(r -> { throw new IllegalStateException("observer bug"); });
            gw.observeReadings(seen::addAll);
            await(() -> parts.buffer.committed.size() == 5, "5 readings committed");
            gw.sink().accept(List.of(Reading.of(METER, Quantity.VOLUME, Unit.M3, BigDecimal.TEN, null, Instant.now())));
            await(() -> parts.buffer.committed.size() == 6, "the sixth reading committed");
            assertTrue(seen.stream().anyMatch(r -> r.value().compareTo(BigDecimal.TEN) == 0), seen::toString);
        } finally {
            gw.close();
        }
    }

    @Test
    void start_wiresDriversToTheBuffer_andTracesAcceptedSeqs() throws Exception {
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        Gateway gw = Gateway.start(config(emitting("a", 25)), parts, Clock.systemUTC(),
                AcceptedListener.trace(new PrintStream(trace, true, StandardCharsets.UTF_8)));
        try {
            await(() -> parts.buffer.committed.size() == 25, "25 readings committed");
            await(() -> trace.toString(StandardCharsets.UTF_8).lines().count() == 25, "25 trace lines");
            assertTrue(trace.toString(StandardCharsets.UTF_8).lines().allMatch(l -> l.matches("ACCEPTED (\\d+)-\\1")),
                    trace::toString);
            assertTrue(parts.uplinkStarted);
            StatusSnapshot s = gw.status();
            assertEquals("gw-1", s.gatewayId());
            assertEquals(25, s.buffer().depth());
            assertEquals(1, s.metersHeard());
            assertEquals(parts.uplinkStats, s.uplink());
            assertEquals(List.of("database_quarantined:/x"), Alarm.texts(s.alarms()));
        } finally {
            gw.close();
        }
    }

    @Test
    void bufferBeyondRecovery_completesFatal_soRunCanExitNonZero() throws Exception {
        Gateway gw = Gateway.start(config(emitting("a", 0)), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            org.junit.jupiter.api.Assertions.assertFalse(gw.fatal().isDone(), "nothing wrong yet");
            parts.buffer.fatalListeners.forEach(l -> l.accept(new io.meterlink.core.buffer.BufferException("the database file is gone")));
            GatewayException e = gw.fatal().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(e.getMessage().contains("the database file is gone"), e.getMessage());
        } finally {
            gw.close();
        }
    }

    @Test
    void storageFault_writerAndWaitingDrivers_areNotStuck() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        DriverFactory.DriverSpec spec = context -> new Driver() {
            @Override public void start() {
                new Thread(() -> {
                    context.heartbeat().beat(); // then blocks without beating, as on a full buffer queue
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).start();
            }

            @Override public void close() { release.countDown(); }
        };
        Gateway gw = Gateway.start(config(new SourceConfig("waiting", "test", Duration.ofMinutes(1), spec)), parts,
                Clock.systemUTC(), AcceptedListener.NONE);
        try {
            gw.liveness().window(Liveness.MIN_WINDOW);
            gw.liveness().register("other").beat(); // a loop that stops too, not waiting on storage
            Supplier<List<String>> stuck = () -> gw.stuckLoops().stream().map(Liveness.Stuck::loop).sorted().toList();
            await(() -> stuck.get().equals(List.of("other", "source:waiting")), "both loops stuck");
            parts.buffer.storageFault = true;
            assertEquals(List.of("other"), stuck.get(), "a driver waiting on a storage fault is not stuck; others are");
            parts.buffer.storageFault = false;
            assertEquals(List.of("other", "source:waiting"), stuck.get(), "once the fault is gone it is watched again");
        } finally {
            gw.close();
        }
    }

    @Test
    void close_stopsDrivers_flushesTheBuffer_closesTheUplink_thenTheBuffer() throws Exception {
        Gateway gw = Gateway.start(config(emitting("a", 0), emitting("b", 0)), parts, Clock.systemUTC(), AcceptedListener.NONE);
        gw.close();
        gw.close();
        assertEquals(List.of("driver.close:b", "driver.close:a", "buffer.flush", "uplink.close", "buffer.close"), events);
    }

    @Test
    void theBufferStoresRecords_onlyWithStoredFormRecordsAndACompactPayload() throws Exception {
        BufferConfig records = new BufferConfig(Path.of("/tmp/state/buffer.db"), 256 * BufferConfig.MIB, 5, Duration.ofMillis(200),
                1000, true, 20_000, true, false);
        for (boolean recordsAsked : new boolean[] {false, true}) {
            for (UplinkConfig.Payload payload : UplinkConfig.Payload.values()) {
                GatewayConfig cfg = new GatewayConfig(null, "gw-1", Path.of("/tmp/state"),
                        recordsAsked ? records : BufferConfig.defaults(records.path()), uplink().withPayload(payload), List.of());
                Gateway.start(cfg, parts, Clock.systemUTC(), AcceptedListener.NONE).close();
                StoredForm expected = recordsAsked && payload == UplinkConfig.Payload.COMPACT ? StoredForm.RECORDS : StoredForm.JSON;
                assertEquals(expected, parts.askedForm, "stored_form records " + recordsAsked + ", payload " + payload);
            }
        }
    }

    @Test
    void uplinkStatusSupplier_seesTheGateway() throws Exception {
        Gateway gw = Gateway.start(config(), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertEquals("gw-1", parts.statusSupplier.get().gatewayId());
        } finally {
            gw.close();
        }
    }

    @Test
    void bufferThatCannotOpen_isAStartFailure() {
        parts.failOpen = true;
        GatewayException e = assertThrows(GatewayException.class,
                () -> Gateway.start(config(emitting("a", 1)), parts, Clock.systemUTC(), AcceptedListener.NONE));
        assertTrue(e.getMessage().contains("buffer"), e::getMessage);
    }

    @Test
    void sourceThatFailsToStart_raisesAnAlarm_andTheOthersRun() throws Exception {
        SourceConfig broken = new SourceConfig("broken", "test", Duration.ofMinutes(1), context -> {
            throw new IllegalStateException("no such port");
        });
        Gateway gw = Gateway.start(config(broken, emitting("ok", 3)), parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            await(() -> parts.buffer.committed.size() == 3, "3 readings from the healthy source");
            assertTrue(Alarm.texts(gw.status().alarms()).contains("source_failed:broken"), Alarm.texts(gw.status().alarms())::toString);
        } finally {
            gw.close();
        }
    }

    @Test
    void onAnUpdatesTrial_theKeptBufferLayout_isNoChangeOfTheBufferSection() throws Exception {
        GatewayConfig running = config().withBuffer(config().buffer().keepingLayout());
        Gateway gw = Gateway.start(running, parts, Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertEquals(List.of(), gw.restartNeededFor(config()), "the file's configuration, read again, needs no restart");
        } finally {
            gw.close();
        }
    }

    @Test
    void reconfigure_stopsRemovedAndChangedSources_startsNewOnes_leavesTheOthers_andNeverClosesTheBuffer() throws Exception {
        SourceConfig broken = new SourceConfig("broken", "test", Duration.ofMinutes(1), context -> {
            throw new IllegalStateException("no such port");
        });
        Gateway gw = Gateway.start(config(emitting("keep", 0), emitting("change", 0), emitting("drop", 0), broken), parts,
                Clock.systemUTC(), AcceptedListener.NONE);
        try {
            assertTrue(Alarm.texts(gw.status().alarms()).contains("source_failed:broken"));
            Gateway.Reconfigured r = gw.reconfigure(config(emitting("keep", 0), emitting("change", 0), emitting("new", 2)),
                    java.util.Set.of("change"));
            assertEquals(List.of("new"), r.started());
            assertEquals(List.of("drop", "broken"), r.stopped());
            assertEquals(List.of("change"), r.restarted());
            assertEquals(List.of("keep"), r.unchanged());
            assertEquals(List.of("driver.close:change", "driver.close:drop"), events, "the unchanged source was not touched");
            assertFalse(Alarm.texts(gw.status().alarms()).contains("source_failed:broken"), "a removed source's alarm goes with it");
            await(() -> parts.buffer.committed.size() == 2, "the new source writes to the same buffer");
            assertEquals(List.of("keep", "change", "new"), gw.sources().stream().map(Gateway.SourceState::name).toList());
            assertTrue(gw.sources().stream().allMatch(s -> s.state().equals("running")));
            assertEquals(List.of(), gw.restartNeededFor(config()));
            GatewayConfig otherBuffer = new GatewayConfig(null, "gw-1", Path.of("/tmp/state"),
                    BufferConfig.defaults(Path.of("/tmp/state/other.db")), uplink(), List.of());
            assertEquals(List.of("buffer"), gw.restartNeededFor(otherBuffer));
            assertFalse(events.contains("buffer.close") || events.contains("uplink.close"), "buffer and uplink stay open: " + events);
        } finally {
            gw.close();
        }
    }

    @Test
    void bufferThatCannotOpen_closesTheUplinkStartedMeanwhile_andStartsNoSource() {
        parts.failOpen = true;
        GatewayException e = assertThrows(GatewayException.class,
                () -> Gateway.start(config(emitting("a", 1)), parts, Clock.systemUTC(), AcceptedListener.NONE));
        assertTrue(e.getMessage().startsWith("cannot open the buffer") && e.getMessage().contains("disk on fire"), e::getMessage);
        assertTrue(e.getCause() instanceof java.io.IOException, () -> String.valueOf(e.getCause()));
        assertTrue(events.contains("uplink.close"), events::toString);
        assertFalse(events.contains("buffer.close"), events::toString); // nothing was opened
        assertEquals(0, parts.buffer.committed.size());
    }

    @Test
    void theUplinkStarts_whileTheBufferIsStillOpening_andSourcesOnlyOnceItIsOpen() throws Exception {
        parts.openGate = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Gateway> started = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Gateway.start(config(emitting("a", 3)), parts, Clock.systemUTC(), AcceptedListener.NONE);
            } catch (GatewayException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            assertTrue(parts.uplinkStartedSignal.await(10, java.util.concurrent.TimeUnit.SECONDS), "the uplink waited for the buffer");
            assertFalse(started.isDone(), "start returned before the buffer was open");
            assertEquals(0, parts.buffer.committed.size()); // no source runs yet
        } finally {
            parts.openGate.countDown();
        }
        Gateway gw = started.get(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            await(() -> parts.buffer.committed.size() == 3, "3 readings committed");
        } finally {
            gw.close();
        }
        assertTrue(events.contains("buffer.close"), events::toString);
    }

    @Test
    void uplinkThatFailsToStart_closesTheBufferAgain() {
        parts.failUplink = true;
        assertThrows(GatewayException.class,
                () -> Gateway.start(config(), parts, Clock.systemUTC(), AcceptedListener.NONE));
        assertTrue(events.contains("buffer.close"), events::toString);
    }

    private final class FakeParts implements GatewayParts {
        final FakeBuffer buffer = new FakeBuffer();
        final UplinkStats uplinkStats = new UplinkStats(false, 2, 0, 0, 0, "connection refused");
        volatile boolean failOpen;
        boolean failUplink;
        /** When set, the open waits for it (the buffer opens on its own thread). */
        volatile java.util.concurrent.CountDownLatch openGate;
        final java.util.concurrent.CountDownLatch uplinkStartedSignal = new java.util.concurrent.CountDownLatch(1);
        volatile boolean uplinkStarted;
        volatile Supplier<StatusSnapshot> statusSupplier;

        /** The stored form the gateway asked for. */
        volatile StoredForm askedForm;

        @Override public ReadingEncoder encoder(String gatewayId) {
            return (seq, r) -> ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        }

        @Override public ReadingEncoder encoder(String gatewayId, StoredForm form) {
            askedForm = form;
            return encoder(gatewayId);
        }

        @Override public Buffer openBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) throws Exception {
            if (openGate != null) openGate.await();
            if (failOpen) throw new java.io.IOException("disk on fire");
            buffer.encoder = encoder;
            return buffer;
        }

        @Override public UplinkService uplink(UplinkConfig config, String gatewayId, Buffer b, Supplier<StatusSnapshot> status, Clock clock) {
            statusSupplier = status;
            return new UplinkService() {
                @Override public void start() {
                    if (failUplink) throw new IllegalStateException("bad TLS material");
                    uplinkStarted = true;
                    uplinkStartedSignal.countDown();
                }

                @Override public UplinkStats stats() { return uplinkStats; }

                @Override public void close() { events.add("uplink.close"); }
            };
        }
    }

    /** Commits each append at once on the caller's thread (the real buffer's group commit is tested with it). */
    private final class FakeBuffer implements Buffer {
        final List<StoredReading> committed = new CopyOnWriteArrayList<>();
        ReadingEncoder encoder;
        long seq;

        @Override public synchronized CompletableFuture<long[]> append(List<Reading> readings) {
            long[] seqs = new long[readings.size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = ++seq;
                committed.add(new StoredReading(seq, 0, 0, encoder.encode(seq, readings.get(i))));
            }
            return CompletableFuture.completedFuture(seqs);
        }

        @Override public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) { return new ArrayList<>(); }
        @Override public long lowestSeq() { return 0; }
        @Override public long highestCommittedSeq() { return seq; }
        @Override public long highestSeqAtOpen() { return 0; }
        @Override public void confirm(long[] seqs) { }
        @Override public void deadLetter(long[] seqs, String reason) { }
        @Override public void onCommit(Runnable listener) { }

        /** Set by a test: the buffer reports a storage fault beyond recovery to its listeners. */
        final List<java.util.function.Consumer<io.meterlink.core.buffer.BufferException>> fatalListeners = new ArrayList<>();

        @Override public void onFatal(java.util.function.Consumer<io.meterlink.core.buffer.BufferException> listener) {
            fatalListeners.add(listener);
        }

        @Override public BufferStats stats() {
            return new BufferStats(committed.size(), 0, 0, 0, seq, committed.size(), 0, Map.of(), 0,
                    List.of(Alarm.parse("database_quarantined:/x")));
        }

        @Override public CompletableFuture<Void> flush() {
            events.add("buffer.flush");
            return CompletableFuture.completedFuture(null);
        }

        /** Set by a test: a storage fault is being retried. */
        volatile boolean storageFault;

        @Override public boolean storageFaultActive() { return storageFault; }

        @Override public void close() { events.add("buffer.close"); }
    }
}
