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

    /** Opens the buffer at {@code args[0]}, prints {@code locked}, holds it until stdin ends. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (SqliteBuffer b = SqliteBuffer.open(BufferConfig.defaults(Path.of(args[0])), new StandardParts().encoder("holder"), Clock.systemUTC())) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) { } // until the test closes our stdin
            }
        }
    }

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
        // the running gateway: another JVM that holds the buffer open until its stdin closes
        Process running = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), db.toString())
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(running.getInputStream()));
            for (String line = out.readLine(); !"locked".equals(line); line = out.readLine()) {
                if (line == null) throw new AssertionError("the holding process ended before it locked the buffer");
            }
            GatewayException e = assertThrows(GatewayException.class, () -> Gateway.start(config, parts, Clock.systemUTC(), AcceptedListener.NONE));
            assertTrue(e.getMessage().startsWith("cannot open the buffer") && e.getMessage().contains("in use by another process"), e::getMessage);
            assertEquals(0, uplinksMade.get(), "an uplink was made for a buffer in use");
        } finally {
            running.getOutputStream().close(); // the holder closes its buffer and ends
            if (!running.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) running.destroyForcibly().waitFor();
        }
        // once free, the same start goes through
        Gateway gw = Gateway.start(config, parts, Clock.systemUTC(), AcceptedListener.NONE);
        gw.close();
        assertEquals(1, uplinksMade.get());
    }
}
