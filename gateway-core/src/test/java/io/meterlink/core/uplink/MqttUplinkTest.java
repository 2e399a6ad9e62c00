package io.meterlink.core.uplink;

import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.uplink.internal.MqttSession;
import io.meterlink.core.uplink.internal.UplinkErrors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MqttUplinkTest {

    private final ObjectMapper json = new ObjectMapper();
    private final JsonPayloads payloads = new JsonPayloads("gw-1");
    private final FakeBuffer buffer = new FakeBuffer(payloads);
    private final FakeSession.Broker broker = new FakeSession.Broker();
    private MqttUplink uplink;

    static UplinkConfig config(String url, boolean insecure) {
        return new UplinkConfig(url, UplinkConfig.Protocol.MQTT5, "gw-1", "meterlink/v1",
                url.startsWith("ssl://") ? Optional.of(Path.of("/nonexistent/ca.crt")) : Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), insecure,
                10, 64 * 1024, 4, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    private MqttUplink start() {
        uplink = new MqttUplink(config("tcp://127.0.0.1:1", true), "gw-1", buffer, this::snapshot, Clock.systemUTC(),
                broker, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        uplink.start();
        return uplink;
    }

    private StatusSnapshot snapshot() {
        return new StatusSnapshot("gw-1", "test", System.currentTimeMillis(), 1, buffer.stats(),
                uplink == null ? null : uplink.stats(), 0, List.of(), BadInputCounts.NONE, List.of());
    }

    @AfterEach
    void close() {
        if (uplink != null) uplink.close();
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void plaintext_isRefused_withoutAllowInsecure() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new MqttUplink(config("tcp://127.0.0.1:1883", false), "gw-1", buffer, this::snapshot, Clock.systemUTC(),
                        io.meterlink.core.tls.TlsMaterial.none()));
        assertTrue(e.getMessage().contains("tcp://"));
    }

    @Test
    void committedReadings_arePublished_andConfirmedOnPuback() throws Exception {
        start();
        buffer.appendBodies(25, 12);
        await(() -> buffer.stored.isEmpty(), "all confirmed");
        assertEquals(25, uplink.stats().published());
        assertTrue(uplink.stats().connected());
        assertTrue(uplink.stats().lastAckEpochMs() > 0);
        TreeSet<Long> batchIds = new TreeSet<>();
        int readings = 0;
        for (FakeSession.Published p : broker.published) {
            if (p.topic().equals("meterlink/v1/gw-1/readings")) {
                JsonNode n = json.readTree(p.payload()); // bodies are opaque here; the envelope must parse
                assertEquals(false, p.retained());
                readings += n.get("readings").size();
                batchIds.add(Long.parseLong(n.get("batch").asText().split("-")[0]));
            }
        }
        assertEquals(25, readings, "each reading once");
        assertEquals(List.of(1L, 11L, 21L), List.copyOf(batchIds), "batches of batch_max_readings=10, oldest first");
        FakeSession.Published first = broker.published.peek();
        assertEquals("meterlink/v1/gw-1/status", first.topic());
        assertTrue(first.retained());
        assertEquals("online", json.readTree(first.payload()).get("state").asText());
    }

    @Test
    void nothingIsDeleted_whilePubacksAreHeld_andOnlyTheAcknowledgedBatchIsConfirmed() throws Exception {
        broker.autoAck = -1; // the broker holds every PUBACK
        start();
        buffer.appendBodies(25, 12); // batches of 10: seq 1-10, 11-20, 21-25, all inside the window of 4
        await(() -> readingPublishes().size() == 3, "three batches in flight");
        // a barrier: a command is handled on the uplink thread after the publishes it made before polling
        java.util.concurrent.CountDownLatch barrier = new java.util.concurrent.CountDownLatch(1);
        uplink.commands((name, payload, reply) -> barrier.countDown());
        await(() -> broker.last().subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed");
        broker.last().deliver("meterlink/v1/gw-1/cmd/barrier", new byte[0]);
        assertTrue(barrier.await(10, java.util.concurrent.TimeUnit.SECONDS), "the uplink thread passed the barrier");
        assertEquals(25, buffer.stored.size(), "no reading leaves the buffer before its PUBACK");
        assertEquals(List.of(), buffer.confirmed);
        assertTrue(buffer.deadLetters.isEmpty());
        assertEquals(0, uplink.stats().published());

        FakeSession.Published middle = readingPublishes().get(1);
        assertEquals(11L, Long.parseLong(json.readTree(middle.payload()).get("batch").asText().split("-")[0]));
        broker.last().listener.acknowledged(middle.tag(), 0);
        await(() -> buffer.confirmed.size() == 10, "the acknowledged batch confirmed");
        assertEquals(List.of(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L), buffer.confirmed);
        assertEquals(15, buffer.stored.size(), "the batches still in flight stay");
        assertEquals(10, uplink.stats().published());
    }

    private List<FakeSession.Published> readingPublishes() {
        return broker.published.stream().filter(p -> p.topic().endsWith("/readings")).toList();
    }

    @Test
    void connects_whileTheBufferIsStillOpening_thenSendsWhatAnEarlierRunStored() throws Exception {
        buffer.appendBodies(3, 12); // stored by an earlier run
        java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
        io.meterlink.core.buffer.OpeningBuffer opening = io.meterlink.core.buffer.OpeningBuffer.start(() -> {
            opened.await();
            return buffer;
        });
        broker.connectGate = new java.util.concurrent.CountDownLatch(1);
        uplink = new MqttUplink(config("tcp://127.0.0.1:1", true), "gw-1", opening, this::snapshot, Clock.systemUTC(),
                broker, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        uplink.start();
        try {
            await(() -> broker.atGate.get() == 1, "a connect attempt while the buffer is still opening");
        } finally {
            opened.countDown();
            broker.connectGate.countDown();
        }
        await(() -> buffer.stored.isEmpty(), "the stored readings sent and confirmed");
        assertEquals(List.of(1L, 2L, 3L), buffer.confirmed);
    }

    @Test
    void aBufferThatFailsToOpen_stopsTheUplink_andClosesTheSessionItConnected() throws Exception {
        io.meterlink.core.buffer.OpeningBuffer failing = io.meterlink.core.buffer.OpeningBuffer.start(() -> {
            throw new java.io.IOException("disk on fire");
        });
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        java.util.List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            uplink = new MqttUplink(config("tcp://127.0.0.1:1", true), "gw-1", failing, this::snapshot, Clock.systemUTC(),
                    broker, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
            java.util.concurrent.CountDownLatch loopEnded = new java.util.concurrent.CountDownLatch(1);
            uplink.heartbeat(new io.meterlink.core.api.driver.Heartbeat() { // the watchdog's view of the uplink thread
                @Override public void beat() { }

                @Override public void willBlock(Duration longest) { }

                @Override public void stop() { loopEnded.countDown(); }
            });
            uplink.start();
            // the loop ends by itself (nobody closed the uplink): no later attempt can open a session
            assertTrue(loopEnded.await(20, java.util.concurrent.TimeUnit.SECONDS), "the uplink loop ended by itself");
            assertEquals(1, broker.sessions.size());
            assertTrue(broker.last().closed, "the connected session is closed");
            assertTrue(uplink.stats().lastError().contains("buffer is not open"), uplink.stats().lastError());
            assertEquals(List.of(), uncaught);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void aBrokerWhosePacketLimitIsTooSmallForAMessage_isNotUsed_readingsWait_nothingIsDeadLettered() throws Exception {
        buffer.appendBodies(5, 12);
        broker.maximumPacketSize = 1000;
        start();
        await(() -> uplink.stats().lastError() != null && uplink.stats().lastError().contains("maximum packet size of 1000"), "the reason");
        await(() -> broker.sessions.size() >= 2, "another attempt with the backoff");
        assertEquals(List.of(), readingPublishes());
        assertEquals(java.util.Map.of(), buffer.deadLetters);
        assertEquals(5, buffer.stored.size());
        broker.maximumPacketSize = Long.MAX_VALUE; // the broker fixed
        await(() -> buffer.stored.isEmpty(), "every reading sent once the broker takes messages");
        assertEquals(java.util.Map.of(), buffer.deadLetters);
    }

    @Test
    void connectionLost_reconnects_andResendsUnacknowledged() throws Exception {
        broker.autoAck = -1; // hold every PUBACK
        start();
        buffer.appendBodies(5, 12);
        await(() -> broker.published.stream().anyMatch(p -> p.topic().endsWith("/readings")), "first batch");
        FakeSession first = broker.last();
        broker.autoAck = 0;
        first.drop();
        await(() -> buffer.stored.isEmpty(), "resent after reconnect and confirmed");
        assertEquals(1, uplink.stats().reconnects());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), buffer.confirmed);
    }

    @Test
    void readingsMadeWhileReconnecting_goLive_beforeTheBacklog() throws Exception {
        broker.autoAck = -1; // hold every PUBACK: nothing leaves the buffer
        start();
        buffer.appendBodies(40, 12); // seq 1..40: four batches fill the window
        await(() -> readingBatches().size() == 4, "the window filled");
        broker.refuseConnect = true;
        broker.last().drop();
        await(() -> broker.sessions.size() >= 3, "reconnect attempts refused");
        buffer.appendBodies(5, 12); // seq 41..45, made while the broker is known unreachable: backlog
        int n = broker.sessions.size();
        await(() -> broker.sessions.size() >= n + 2, "an attempt refused after seq 45 was committed");

        broker.connectGate = new java.util.concurrent.CountDownLatch(1);
        // the attempt may have opened its session just before the gate was set: wait for it at the gate
        await(() -> broker.atGate.get() > 0, "an attempt held in connect");
        broker.refuseConnect = false;
        buffer.appendBodies(5, 12); // seq 46..50, made during the attempt that succeeds: live
        broker.published.clear();
        broker.connectGate.countDown();
        await(() -> readingBatches().size() == 4, "the window filled again");

        List<Long> firstSeqs = readingBatches().stream().map(b -> Long.parseLong(b.get("batch").asText().split("-")[0])).toList();
        assertEquals(List.of(46L, 1L, 11L, 21L), firstSeqs, "live first, then the backlog oldest first; 41..45 wait in the backlog");
    }

    private List<JsonNode> readingBatches() {
        return broker.published.stream().filter(p -> p.topic().endsWith("/readings")).map(p -> {
            try {
                return json.readTree(p.payload());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    /** A listener that records the trial's outcome. */
    private static final class Outcome implements TrialListener {
        final java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();

        @Override public void accepted(String url) { result.complete("accepted " + url); }

        @Override public void rolledBack(String url, String why) { result.complete("rolled back " + url + ": " + why); }
    }

    /** The fake broker, unreachable for any URL on port 2. */
    private MqttUplink startWithUnreachablePort2() {
        MqttSession.Factory f = listener -> {
            if (uplink.activeUrl().endsWith(":2")) throw new MqttSession.MqttSessionException("connection refused (port 2)", null);
            return broker.open(listener);
        };
        uplink = new MqttUplink(config("tcp://127.0.0.1:1", true), "gw-1", buffer, this::snapshot, Clock.systemUTC(),
                f, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        uplink.start();
        return uplink;
    }

    @Test
    void trial_acceptedByTheNewBroker_keepsTheNewSettings() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        Outcome o = new Outcome();
        uplink.trial(config("tcp://127.0.0.1:3", true), Duration.ofSeconds(30), o);
        assertEquals("accepted tcp://127.0.0.1:3", o.result.get(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("tcp://127.0.0.1:3", uplink.activeUrl());
        buffer.appendBodies(2, 12);
        await(() -> buffer.stored.isEmpty(), "delivered over the new settings");
    }

    @Test
    void trial_withAnUnreachableBroker_rollsBackWithinTheBound_andKeepsDelivering() throws Exception {
        startWithUnreachablePort2();
        await(() -> uplink.stats().connected(), "connected");
        Outcome o = new Outcome();
        uplink.trial(config("tcp://127.0.0.1:2", true), Duration.ofMillis(500), o);
        await(() -> "tcp://127.0.0.1:2".equals(uplink.activeUrl()) || o.result.isDone(), "trial started");
        buffer.appendBodies(3, 12); // readings made during the trial wait in the buffer
        String r = o.result.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(r.startsWith("rolled back tcp://127.0.0.1:2: ") && r.contains("port 2"), r);
        assertEquals("tcp://127.0.0.1:1", uplink.activeUrl());
        await(() -> buffer.stored.isEmpty(), "delivered after the rollback");
    }

    @Test
    void trial_withUnusableSettings_isRefusedAtOnce_andChangesNothing() {
        start();
        assertThrows(IllegalArgumentException.class, () -> uplink.trial(config("ssl://127.0.0.1:3", false), Duration.ofSeconds(1), new Outcome()));
        assertThrows(IllegalArgumentException.class, () -> uplink.trial(config("tcp://127.0.0.1:3", false), Duration.ofSeconds(1), new Outcome()));
        assertEquals("tcp://127.0.0.1:1", uplink.activeUrl());
    }

    @Test
    void connectFailure_isReported_andRetriedWithBackoff() throws Exception {
        broker.refuseConnect = true;
        start();
        await(() -> broker.sessions.size() >= 3, "several attempts");
        assertTrue(uplink.stats().lastError().contains("refused by test"), uplink.stats().lastError());
        assertTrue(!uplink.stats().connected());
        broker.refuseConnect = false;
        buffer.appendBodies(3, 12);
        await(() -> buffer.stored.isEmpty(), "delivered once the broker accepts");
        assertTrue(uplink.stats().connected());
        assertNull(uplink.stats().lastError(), "the refusal before this connection is not the current state");
    }

    @Test
    void notAuthorized_isCountedAndReported_readingsKept() throws Exception {
        broker.autoAck = 0x87;
        start();
        buffer.appendBodies(3, 12);
        await(() -> uplink.stats().refused() >= 1, "refusal counted");
        assertTrue(uplink.stats().lastError().contains("0x87 not authorized"), uplink.stats().lastError());
        assertEquals(3, buffer.stored.size(), "readings stay in the store of record");
        assertTrue(buffer.deadLetters.isEmpty());
        broker.autoAck = 0; // ACL fixed
        await(() -> buffer.stored.isEmpty(), "delivered after the fix");
    }

    @Test
    void packetTooLarge_deadLettersTheBatch_andQueueMovesOn() throws Exception {
        broker.autoAck = 0x95;
        start();
        buffer.appendBodies(3, 12);
        await(() -> buffer.deadLetters.size() == 3, "batch parked");
        assertTrue(buffer.deadLetters.get(1L).contains("0x95"));
        broker.autoAck = 0;
        buffer.appendBodies(2, 12);
        await(() -> buffer.confirmed.size() == 2, "later readings still flow");
        assertEquals(1, uplink.stats().refused());
    }

    @Test
    void close_publishesOfflineStatus_andDisconnectsCleanly() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        uplink.close();
        FakeSession s = broker.last();
        assertTrue(s.disconnectedCleanly);
        FakeSession.Published lastMsg = null;
        for (FakeSession.Published p : broker.published) lastMsg = p;
        assertEquals("meterlink/v1/gw-1/status", lastMsg.topic());
        assertTrue(lastMsg.retained());
        assertEquals("offline", json.readTree(lastMsg.payload()).get("state").asText());
        BufferStats unused = buffer.stats();
        assertEquals(0, unused.depth());
    }

    @Test
    void theCommandSubscription_goesOutBeforeTheOnlineStatus() throws Exception {
        uplink = new MqttUplink(config("tcp://127.0.0.1:1", true), "gw-1", buffer, this::snapshot, Clock.systemUTC(),
                broker, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
        uplink.commands((name, payload, reply) -> { });
        uplink.start();
        await(() -> !broker.log.isEmpty(), "a first publish");
        FakeSession s = broker.last();
        assertEquals(List.of("meterlink/v1/gw-1/cmd/#"), s.subscriptions);
        assertEquals(List.of(0), s.subscribedAfter, "subscribed before anything was published");
        assertEquals("meterlink/v1/gw-1/status", broker.log.get(0).topic());
        assertEquals("online", json.readTree(broker.log.get(0).payload()).get("state").asText());
    }

    @Test
    void aLateCommandHandler_isAnnouncedByAnOnlineStatusAfterItsSubscription() throws Exception {
        start();
        await(() -> !broker.log.isEmpty(), "the first online status");
        uplink.commands((name, payload, reply) -> { });
        FakeSession s = broker.last();
        await(() -> !s.subscribedAfter.isEmpty(), "subscribed");
        int at = s.subscribedAfter.get(0);
        await(() -> broker.log.stream().skip(at).anyMatch(p -> p.topic().endsWith("/status")), "a status after the subscription");
        FakeSession.Published after = broker.log.stream().skip(at).filter(p -> p.topic().endsWith("/status")).findFirst().orElseThrow();
        assertEquals("online", json.readTree(after.payload()).get("state").asText());
    }

    @Test
    void commands_areSubscribed_dispatched_andRepliedOnCmdReply() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        java.util.concurrent.BlockingQueue<String> names = new java.util.concurrent.LinkedBlockingQueue<>();
        uplink.commands((name, payload, reply) -> {
            names.add(name + "=" + new String(payload, java.nio.charset.StandardCharsets.UTF_8));
            new Thread(() -> reply.accept("done".getBytes(java.nio.charset.StandardCharsets.UTF_8))).start();
        });
        FakeSession s = broker.last();
        await(() -> s.subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed to cmd/#");
        s.deliver("meterlink/v1/gw-1/cmd/apply-bundle/7", "body".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("apply-bundle/7=body", names.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        FakeSession.Published p;
        do {
            p = broker.take();
        } while (!p.topic().endsWith("/cmd-reply"));
        assertEquals("meterlink/v1/gw-1/cmd-reply", p.topic());
        assertEquals("done", new String(p.payload(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(!p.retained());
    }

    /** The next cmd-reply the broker got, as JSON. */
    private com.fasterxml.jackson.databind.JsonNode nextReply() throws Exception {
        FakeSession.Published p;
        do {
            p = broker.take();
        } while (!p.topic().endsWith("/cmd-reply"));
        return json.readTree(p.payload());
    }

    @Test
    void oversizedCommand_isAnsweredTooLarge_withoutReachingTheHandler() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        uplink.commands((name, payload, reply) -> seen.add(name));
        FakeSession s = broker.last();
        await(() -> s.subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed");
        s.deliver("meterlink/v1/gw-1/cmd/apply-bundle/big", new byte[MqttUplink.MAX_COMMAND_BYTES + 1]);
        var r = nextReply();
        assertEquals("too_large", r.path("error").asText(), r.toString());
        assertEquals("apply-bundle", r.path("cmd").asText());
        assertEquals("big", r.path("request").asText());
        assertEquals(1, uplink.commandStats().tooLarge());
        assertEquals(List.of(), seen);
        // a payload the MQTT 3.1.1 socket guard cut is answered the same way
        s.listener.messageTooLarge("meterlink/v1/gw-1/cmd/apply-bundle/cut", 80L * 1024 * 1024);
        r = nextReply();
        assertEquals("too_large", r.path("error").asText(), r.toString());
        assertEquals("cut", r.path("request").asText());
        assertEquals(2, uplink.commandStats().tooLarge());
    }

    @Test
    void handlerThrowingAnError_isAnsweredInternalError_andTheUplinkGoesOn() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        uplink.commands((name, payload, reply) -> {
            if (name.startsWith("boom")) throw new OutOfMemoryError("simulated");
            reply.accept("ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        FakeSession s = broker.last();
        await(() -> s.subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed");
        s.deliver("meterlink/v1/gw-1/cmd/boom/1", new byte[] {1});
        var r = nextReply();
        assertEquals("internal_error", r.path("error").asText(), r.toString());
        assertEquals(1, uplink.commandStats().failed());
        s.deliver("meterlink/v1/gw-1/cmd/fine/2", new byte[] {1});
        FakeSession.Published p;
        do {
            p = broker.take();
        } while (!p.topic().endsWith("/cmd-reply"));
        assertEquals("ok", new String(p.payload(), java.nio.charset.StandardCharsets.UTF_8));
        buffer.appendBodies(3, 12);
        await(() -> uplink.stats().published() >= 3, "readings still flow");
        assertTrue(uplink.stats().connected());
    }

    @Test
    void commandFlood_beyondTheQueue_isAnsweredBusy_andCounted() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        uplink.commands((name, payload, reply) -> {
            handled.incrementAndGet();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS); // a slow handler holds the uplink thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        FakeSession s = broker.last();
        await(() -> s.subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed");
        s.deliver("meterlink/v1/gw-1/cmd/slow/0", new byte[0]);
        await(() -> handled.get() == 1, "the first command is being handled");
        int flood = MqttUplink.MAX_PENDING_COMMANDS + 10;
        for (int i = 1; i <= flood; i++) s.deliver("meterlink/v1/gw-1/cmd/flood/" + i, new byte[0]);
        assertEquals(10, uplink.commandStats().busy(), uplink.commandStats().toString());
        release.countDown();
        await(() -> handled.get() == 1 + MqttUplink.MAX_PENDING_COMMANDS, "the queued commands are handled");
        int busyReplies = 0;
        for (int i = 0; i < 10; i++) {
            var r = nextReply();
            if ("busy".equals(r.path("error").asText())) busyReplies++;
        }
        assertEquals(10, busyReplies);
        assertEquals(1 + flood, uplink.commandStats().received());
    }

    @Test
    void commandHandler_isSubscribedAgain_afterReconnect() throws Exception {
        start();
        await(() -> uplink.stats().connected(), "connected");
        uplink.commands((name, payload, reply) -> { });
        await(() -> broker.last().subscriptions.contains("meterlink/v1/gw-1/cmd/#"), "subscribed");
        FakeSession first = broker.last();
        uplink.reconnect();
        await(() -> broker.last() != first && broker.last().subscriptions.contains("meterlink/v1/gw-1/cmd/#"),
                "a new session, subscribed again");
        assertTrue(first.disconnectedCleanly, "the old session was closed with DISCONNECT");
    }

    @Test
    void reconnect_resendsUnconfirmedReadings_losingNone() throws Exception {
        broker.autoAck = -1; // hold acknowledgements
        start();
        buffer.appendBodies(5, 12);
        await(() -> broker.published.stream().anyMatch(p -> p.topic().endsWith("/readings")), "a batch sent");
        FakeSession first = broker.last();
        broker.autoAck = 0;
        uplink.reconnect();
        await(() -> broker.last() != first, "reconnected");
        await(() -> buffer.stored.isEmpty(), "all confirmed after the reconnect");
        assertEquals(5, uplink.stats().published());
    }

    @Test
    void credentialRefusal_isRecognised_inTlsAlertsAndConnack() {
        assertTrue(UplinkErrors.isCredentialRefusal(new RuntimeException("x",
                new javax.net.ssl.SSLHandshakeException("Received fatal alert: certificate_revoked"))));
        assertTrue(UplinkErrors.isCredentialRefusal(new org.eclipse.paho.client.mqttv3.MqttException(5)));
        assertTrue(!UplinkErrors.isCredentialRefusal(new java.net.ConnectException("Connection refused")));
    }

    @Test
    void batchesFitTheBrokersMaximumPacketSize_aReadingBeyondItIsDeadLettered_theDrainNeverLoops() throws Exception {
        broker.maximumPacketSize = 2048; // below batch_max_bytes (64 KiB): 10 readings of 300 bytes would not fit
        start();
        buffer.appendBodies(40, 300);
        long[] big = buffer.appendBodies(1, 2500); // fits batch_max_bytes, never the broker's packet
        buffer.appendBodies(20, 300);
        await(() -> buffer.stored.isEmpty(), "every reading confirmed or dead-lettered");
        assertEquals(java.util.Map.of(big[0], Drain.TOO_BIG), buffer.deadLetters);
        assertEquals(60, buffer.confirmed.size());
        assertEquals(0, broker.oversize.get(), "no publish the broker's packet size refuses");
        assertEquals(1, broker.sessions.size(), "one connection: never dropped for a packet too large");
        for (FakeSession.Published p : readingPublishes()) {
            assertTrue(p.payload().length + Drain.publishOverhead(p.topic()) <= 2048, p.payload().length + " bytes");
        }
    }
}
