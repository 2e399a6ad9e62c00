package io.meterlink.core.runtime;

import io.meterlink.core.testing.UnreachableBroker;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.status.StatusSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real parts wired together: a real SQLite buffer and the Paho uplink pointed at a closed port.
 * Readings are accepted while the broker is unreachable, survive close, and numbering goes on
 * after a restart.
 */
class GatewayIT {
    private static final Pattern ACCEPTED = Pattern.compile("ACCEPTED (\\d+)-(\\d+)");
    @TempDir Path dir;

    private GatewayConfig config(int readings, int port) throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, String.join("\n",
                "gateway_id: gw-it",
                "state_dir: state",
                "buffer:",
                "  commit_interval: 20ms",
                "uplink:",
                "  url: tcp://127.0.0.1:" + port,
                "  allow_insecure: true",
                "  backoff_min: 100ms",
                "  backoff_max: 1s",
                "  connect_timeout: 2s",
                "sources:",
                "  - name: bench",
                "    driver: test",
                "    readings: " + readings,
                "    batch: 7",
                ""));
        return ConfigLoader.load(file);
    }

    private static long accepted(ByteArrayOutputStream trace, long[] maxSeq) {
        long n = 0;
        Matcher m = ACCEPTED.matcher(trace.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            n += last - first + 1;
            if (maxSeq != null) maxSeq[0] = Math.max(maxSeq[0], last);
        }
        return n;
    }

    private static long minSeq(ByteArrayOutputStream trace) {
        Matcher m = ACCEPTED.matcher(trace.toString(StandardCharsets.UTF_8));
        long min = Long.MAX_VALUE;
        while (m.find()) min = Math.min(min, Long.parseLong(m.group(1)));
        return min;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void readings_areAccepted_whileTheBrokerIsUnreachable_andSurviveARestart() throws Exception {
        try (UnreachableBroker broker = UnreachableBroker.start()) {
            readingsSurviveARestart(broker.port());
        }
    }

    private void readingsSurviveARestart(int port) throws Exception {
        GatewayConfig first = config(500, port);
        ByteArrayOutputStream trace1 = new ByteArrayOutputStream();
        Gateway gw = Gateway.start(first, new StandardParts(), Clock.systemUTC(),
                AcceptedListener.trace(new PrintStream(trace1, true, StandardCharsets.UTF_8)));
        try {
            await(() -> accepted(trace1, null) == 500, "500 readings accepted");
            StatusSnapshot s = gw.status();
            assertEquals("gw-it", s.gatewayId());
            assertEquals(500, s.buffer().depth());
            assertFalse(s.uplink().connected());
            assertEquals(1, s.metersHeard());
        } finally {
            gw.close();
        }
        long[] maxSeq = {0};
        assertEquals(500, accepted(trace1, maxSeq));
        BufferStats after = SqliteBuffer.inspect(first.buffer().path());
        assertEquals(500, after.depth(), "every accepted reading is still stored after close");
        assertEquals(maxSeq[0], after.highestSeq());

        ByteArrayOutputStream trace2 = new ByteArrayOutputStream();
        Gateway again = Gateway.start(config(10, port), new StandardParts(), Clock.systemUTC(),
                AcceptedListener.trace(new PrintStream(trace2, true, StandardCharsets.UTF_8)));
        try {
            await(() -> accepted(trace2, null) == 10, "10 more readings accepted");
        } finally {
            again.close();
        }
        assertTrue(minSeq(trace2) > maxSeq[0], "sequence numbers never repeat across restarts");
        assertEquals(510, SqliteBuffer.inspect(first.buffer().path()).depth());
        assertTrue(List.of(trace2.toString(StandardCharsets.UTF_8).split("\n")).stream().allMatch(l -> ACCEPTED.matcher(l).matches()));
    }
}
