package io.meterlink.sim.uplink;

import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.uplink.JsonPayloads;
import io.meterlink.core.uplink.MqttUplink;
import org.junit.jupiter.api.Assertions;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared pieces of the uplink integration tests: the CI rule for mosquitto, configs, a gateway (buffer + uplink). */
final class UplinkFixture {

    private UplinkFixture() {
    }

    /** Tests need mosquitto: in CI its absence is a failure, elsewhere a skip with a message. */
    static void requireMosquitto() {
        io.meterlink.sim.crash.CrashFixture.requireMosquitto();
    }

    static UplinkConfig config(String url, UplinkConfig.Protocol protocol, String clientId, Path ca,
                               Path cert, Path key, String username, String password) {
        return new UplinkConfig(url, protocol, clientId, "meterlink/v1", Optional.ofNullable(ca),
                Optional.ofNullable(cert), Optional.ofNullable(key), Optional.ofNullable(username),
                Optional.ofNullable(password).map(Secret::of), false,
                50, 64 * 1024, 8, Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) Assertions.fail("timed out: " + what.get());
            Thread.sleep(20);
        }
    }

    static Reading reading(int i) {
        return new Reading(MeterId.of("wmbus:KAM:" + String.format("%08d", i % 50)), Quantity.VOLUME, Unit.M3,
                new BigDecimal(i).movePointLeft(3), io.meterlink.core.api.MeasurementFunction.INSTANTANEOUS,
                0, 0, 0, Instant.parse("2026-11-26T00:00:00Z").plusSeconds(i), Instant.now(), 0, i % 3 == 0 ? -70 - i % 20 : null);
    }

    /** A gateway: a real SQLite buffer that records every body it stores, and the uplink. */
    static final class Gateway implements AutoCloseable {
        final String gatewayId;
        final SqliteBuffer buffer;
        final MqttUplink uplink;
        final Map<Long, byte[]> storedBodies = new ConcurrentHashMap<>();
        final List<Long> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        private int next;

        Gateway(Path dir, String gatewayId, UplinkConfig cfg) {
            this.gatewayId = gatewayId;
            JsonPayloads payloads = new JsonPayloads(gatewayId);
            ReadingEncoder recording = (seq, r) -> {
                byte[] b = payloads.encode(seq, r);
                storedBodies.put(seq, b);
                return b;
            };
            BufferConfig bc = new BufferConfig(dir.resolve("buffer.db"), 1024 * BufferConfig.MIB, 0,
                    Duration.ofMillis(20), 1000, false, 20_000);
            this.buffer = SqliteBuffer.open(bc, recording, Clock.systemUTC());
            long start = System.currentTimeMillis();
            MqttUplink[] self = new MqttUplink[1];
            Supplier<StatusSnapshot> status = () -> new StatusSnapshot(gatewayId, "it", System.currentTimeMillis(),
                    (System.currentTimeMillis() - start) / 1000, buffer.stats(), self[0] == null ? null : self[0].stats(),
                    0, List.of(), BadInputCounts.NONE, List.of());
            this.uplink = new MqttUplink(cfg, gatewayId, buffer, status, Clock.systemUTC(), io.meterlink.core.tls.TlsMaterial.none());
            self[0] = uplink;
        }

        /** Appends {@code n} readings and waits until they are accepted (committed). */
        long[] append(int n) throws Exception {
            List<Reading> rs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) rs.add(reading(++next));
            long[] seqs = buffer.append(rs).get(30, TimeUnit.SECONDS);
            for (long s : seqs) accepted.add(s);
            return seqs;
        }

        Buffer buffer() { return buffer; }

        @Override
        public void close() {
            uplink.close();
            buffer.close();
        }
    }
}
