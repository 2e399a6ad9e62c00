package io.meterlink.core.runtime;

import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second gateway on a buffer in use stops at the buffer's lock, before its uplink exists: it must
 * never reach the broker, where its CONNECT with the same client id would take the running gateway's
 * session over.
 */
class SecondProcessTest {
    @TempDir Path dir;

    @Test
    void aBufferInUse_isRefusedBeforeTheUplinkIsMade() throws Exception {
        Path db = dir.resolve("state/buffer.db");
        BufferConfig cfg = BufferConfig.defaults(db);
        UplinkConfig uplink = new UplinkConfig("tcp://127.0.0.1:1", UplinkConfig.Protocol.MQTT5, "gw", "meterlink/v1",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true,
                500, 256 * 1024, 8, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofSeconds(20), Duration.ofSeconds(60));
        GatewayConfig config = new GatewayConfig(null, "gw-1", dir.resolve("state"), cfg, uplink, List.of());
        AtomicInteger uplinksMade = new AtomicInteger();
        StandardParts real = new StandardParts();
        GatewayParts parts = new GatewayParts() {
            @Override public io.meterlink.core.buffer.ReadingEncoder encoder(String gatewayId) { return real.encoder(gatewayId); }
            @Override public Buffer openBuffer(BufferConfig c, io.meterlink.core.buffer.ReadingEncoder e, Clock clock) { return real.openBuffer(c, e, clock); }
            @Override public java.util.concurrent.Callable<Buffer> claimBuffer(BufferConfig c, io.meterlink.core.buffer.ReadingEncoder e, Clock clock) {
                return real.claimBuffer(c, e, clock);
            }
            @Override public UplinkService uplink(UplinkConfig c, String id, Buffer b, Supplier<StatusSnapshot> s, Clock clock) {
                uplinksMade.incrementAndGet();
                return new UplinkService() {
                    @Override public void start() { }
                    @Override public UplinkStats stats() { return new UplinkStats(false, 0, 0, 0, 0, null); }
                    @Override public void close() { }
                };
            }
        };
        try (SqliteBuffer running = SqliteBuffer.open(cfg, real.encoder("gw-1"), Clock.systemUTC())) {
            GatewayException e = assertThrows(GatewayException.class, () -> Gateway.start(config, parts, Clock.systemUTC(), AcceptedListener.NONE));
            assertTrue(e.getMessage().startsWith("cannot open the buffer"), e::getMessage);
            assertEquals(0, uplinksMade.get(), "an uplink was made for a buffer in use");
        }
        // once free, the same start goes through
        Gateway gw = Gateway.start(config, parts, Clock.systemUTC(), AcceptedListener.NONE);
        gw.close();
        assertEquals(1, uplinksMade.get());
    }
}
