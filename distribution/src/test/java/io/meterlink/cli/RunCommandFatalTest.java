package io.meterlink.cli;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.BufferException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.runtime.AcceptedListener;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import io.meterlink.core.runtime.GatewayParts;
import io.meterlink.core.runtime.UplinkService;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code meterlink run} exits 3 (systemd restarts it) when the buffer reports a storage fault beyond recovery. */
class RunCommandFatalTest {
    @TempDir Path dir;

    /** A buffer that stores nothing and, once the gateway listens, says it cannot go on. */
    private static final class DyingBuffer implements Buffer {
        @Override public CompletableFuture<long[]> append(List<Reading> readings) { return new CompletableFuture<>(); }
        @Override public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) { return List.of(); }
        @Override public long lowestSeq() { return 0; }
        @Override public long highestCommittedSeq() { return 0; }
        @Override public long highestSeqAtOpen() { return 0; }
        @Override public void confirm(long[] seqs) { }
        @Override public void deadLetter(long[] seqs, String reason) { }
        @Override public void onCommit(Runnable listener) { }
        @Override public BufferStats stats() { return new BufferStats(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, List.of()); }
        @Override public void onFatal(Consumer<BufferException> listener) {
            CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> listener.accept(new BufferException("buffer storage cannot recover: the database file is gone")));
        }
        @Override public void close() { }
    }

    private static final class Parts implements GatewayParts {
        @Override public ReadingEncoder encoder(String gatewayId) {
            return (seq, r) -> ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        }

        @Override public Buffer openBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) { return new DyingBuffer(); }

        @Override public UplinkService uplink(UplinkConfig config, String gatewayId, Buffer b, Supplier<StatusSnapshot> status, Clock clock) {
            return new UplinkService() {
                @Override public void start() { }
                @Override public UplinkStats stats() { return new UplinkStats(false, 0, 0, 0, 0, null); }
                @Override public void commands(io.meterlink.core.uplink.CommandHandler handler) { }
                @Override public void close() { }
            };
        }
    }

    @Test
    void storageBeyondRecovery_exitsThree_withoutAStopRequest() throws Exception {
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n", "gateway_id: gw-7", "state_dir: " + dir.resolve("state"),
                "uplink:", "  url: tcp://127.0.0.1:1883", "  allow_insecure: true",
                "technician_endpoint:", "  enabled: false", ""));
        Services services = new Services() {
            @Override public GatewayConfig loadConfig(Path file) throws io.meterlink.core.api.config.ConfigException {
                return ConfigLoader.load(file);
            }
            @Override public Gateway start(GatewayConfig config) throws GatewayException {
                return Gateway.start(config, new Parts(), Clock.systemUTC(), AcceptedListener.NONE);
            }
            @Override public BufferStats inspectBuffer(Path database) { throw new AssertionError(); }
            @Override public void awaitStopRequest() throws InterruptedException {
                Thread.sleep(Long.MAX_VALUE); // no SIGTERM comes
            }
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> Main.commandLine(services, new PrintWriter(out, true), new PrintWriter(err, true)).execute("run", "--config", cfg.toString()));
        assertEquals(3, exit, err::toString);
        assertTrue(err.toString().contains("the database file is gone"), err::toString);
    }
}
