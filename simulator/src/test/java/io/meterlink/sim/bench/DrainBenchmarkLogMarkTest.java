package io.meterlink.sim.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The start-up marks DrainBenchmark reads from the gateway's log. */
class DrainBenchmarkLogMarkTest {
    @TempDir Path dir;

    @Test
    void secondsFromLaunch_toTheFirstLineWithBothTexts() throws Exception {
        long launch = Instant.parse("2026-12-07T04:47:45.000Z").toEpochMilli();
        Path log = dir.resolve("gateway.log");
        Files.writeString(log, String.join("\n",
                "a line without a timestamp: Buffer x open: depth 0",
                "2026-12-07T04:47:45.749Z [main] INFO io.meterlink.core.buffer.SqliteBuffer - Buffer /b.db open: depth 3",
                "2026-12-07T04:47:46.333Z [meterlink-uplink] INFO MqttUplink - uplink connected to ssl://localhost:1 as gw",
                "2026-12-07T04:47:49.000Z [meterlink-uplink] INFO MqttUplink - uplink connected to ssl://localhost:1 as gw", ""));
        assertEquals(0.75, DrainBenchmark.logMark(log, "Buffer ", " open: ", launch));
        assertEquals(1.33, DrainBenchmark.logMark(log, "uplink connected to ", "", launch));
        assertEquals(-1, DrainBenchmark.logMark(log, "never logged", "", launch));
        assertEquals(-1, DrainBenchmark.logMark(dir.resolve("missing.log"), "Buffer ", "", launch));
    }
}
