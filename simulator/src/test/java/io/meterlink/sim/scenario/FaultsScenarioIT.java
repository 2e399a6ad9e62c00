package io.meterlink.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.crash.CrashFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The faults a scenario file names since issue 4's second pass, end to end against the real gateway
 * jar and a real Mosquitto: wrong keys, CRC errors and truncated frames on the radio, a wired meter
 * answering after the timeout, a bandwidth cap on the uplink; and the buffer filled to its cap during
 * an outage, with the eviction audit.
 */
class FaultsScenarioIT {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void needsMosquitto() {
        CrashFixture.requireMosquitto();
    }

    @Test
    void badRadioInput_lateMeter_narrowUplink_nothingReadableLost_keyErrorsCounted() throws Exception {
        JsonNode r = run("faults-it", """
                name: faults-it
                duration: 36s
                drain_timeout: 90s
                seed: 5
                meters:
                  - protocol: mbus_tcp
                    count: 5
                    interval: 1s
                  - protocol: wmbus
                    count: 4
                    interval: 1s
                    keys: random
                    wrong_keys: 1
                faults:
                  - type: radio_bad_frames
                    at: 2s
                    for: 30s
                    every: 1s
                  - type: mbus_late
                    at: 3s
                    for: 10s
                    meters: 1
                    delay: 1500ms
                  - type: proxy_bandwidth
                    at: 16s
                    for: 12s
                    bytes_per_second: 2KiB
                invariants:
                  lost: 0
                  lost_accepted: 0
                  max_duplicates_by_measurement: 0
                  max_wrong_key_delivered: 0
                  min_key_errors: 10
                  max_out_of_order: 0
                  min_delivered: 500
                """);
        assertTrue(r.path("bad_input").path("checksum").asLong() >= 10, "CRC errors counted: " + r);
        assertTrue(r.path("bad_input").path("truncated").asLong() >= 10, "truncated frames counted: " + r);
        assertTrue(r.path("wrong_key").asLong() > 0, "the wrong-key meter's readings were excused, not lost: " + r);
        assertTrue(r.path("max_latency_ms").asLong() > 2_000, "the bandwidth cap held readings back: " + r);
    }

    @Test
    void bufferCapDuringAnOutage_evictsByPolicy_andCountsEveryEviction() throws Exception {
        JsonNode r = run("eviction-it", """
                name: eviction-it
                duration: 45s
                drain_timeout: 90s
                seed: 6
                gateway:
                  buffer_max_bytes: 64KiB
                meters:
                  - protocol: mbus_tcp
                    count: 10
                    interval: 1s
                faults:
                  - type: broker_outage
                    at: 8s
                    for: 30s
                invariants:
                  lost: 0
                  min_evictions: 200
                  max_eviction_order_violations: 0
                  max_out_of_order: 0
                  min_delivered: 300
                """);
        assertTrue(r.path("lost_accepted").asLong() > 0, "evicted readings never arrive: " + r);
        assertTrue(r.path("lost_accepted").asLong() <= r.path("evictions").asLong(), "each of them was counted: " + r);
        assertEquals(0, r.path("out_of_order").asLong(), "each meter's readings in order by measurement time: " + r);
        assertTrue(r.has("out_of_order_by_arrival"), "arrival order reported: " + r);
    }

    /** Runs the scenario through the command; asserts exit 0 and one JSON line, and returns it. */
    private JsonNode run(String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new ScenarioCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute(file.toString(), "--gateway-jar", "../distribution/target/meterlink.jar",
                        "--work-dir", dir.resolve(name).toString());
        String stdout = out.toString(StandardCharsets.UTF_8).strip();
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, "exit code; stdout " + stdout + "\n" + stderr);
        assertEquals(1, stdout.split("\n").length, "one JSON line: " + stdout);
        return json.readTree(stdout);
    }
}
