package io.meterlink.sim.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's demo, short: virtual meters through the real gateway to the embedded broker, nothing lost. */
class DemoIT {
    @Test
    void demo_deliversEveryGeneratedReading() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Demo.Result r = new Demo(12, Duration.ofSeconds(5), Duration.ofMillis(1000),
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
        assertTrue(r.generated() > 50, "meters generated readings: " + r.toJson());
        assertEquals(0, r.lost(), r.toJson());
        assertEquals(r.generated(), r.accepted(), r.toJson());
        assertEquals(r.accepted(), r.delivered(), r.toJson());
        assertEquals(0, r.duplicates(), r.toJson());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("delivered"), "progress is shown");
        assertTrue(r.toJson().matches("\\{\"generated\":\\d+,\"accepted\":\\d+,\"delivered\":\\d+,\"lost\":0,\"duplicates\":0,\"p99_latency_ms\":\\d+}"));
    }
}
