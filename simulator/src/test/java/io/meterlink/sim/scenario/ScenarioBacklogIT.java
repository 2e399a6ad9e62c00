package io.meterlink.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.crash.CrashFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scenario with a 2,000-reading backlog against the real gateway jar and a real Mosquitto: the
 * backlog is generated, accepted and delivered like the meters' readings (nothing lost, no
 * measurement twice), its drain is timed, and the JSON line says so.
 */
class ScenarioBacklogIT {
    private static final int BACKLOG = 2_000;

    @TempDir
    Path dir;

    @Test
    void backlogOf2000_isAccountedWithTheLiveReadings_andDrained() throws Exception {
        CrashFixture.requireMosquitto();
        Path file = dir.resolve("backlog.yaml");
        Files.writeString(file, """
                name: backlog
                duration: 10s
                drain_timeout: 90s
                backlog: %d
                gateway:
                  jvm_args: [-Xmx64m]
                meters:
                  - protocol: mbus_tcp
                    count: 4
                    interval: 2s
                    line_baud: 2400
                  - protocol: wmbus
                    count: 10
                    interval: 2s
                    spread: true
                invariants:
                  lost: 0
                  lost_accepted: 0
                  max_duplicates_by_measurement: 0
                """.formatted(BACKLOG));
        ScenarioSpec spec = new ScenarioParser().parse(file);
        Path jar = GatewayProcess.findJar(List.of(Path.of("../distribution/target/meterlink.jar")));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ScenarioResult r = new ScenarioRunner(spec, jar, dir.resolve("run"), new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
        String log = progress.toString(StandardCharsets.UTF_8);
        Accounting.Figures f = r.figures();

        assertTrue(r.passed(), r.failed() + "\n" + log);
        assertTrue(f.generated() > BACKLOG, "the backlog plus the meters' readings: " + f.generated());
        assertTrue(f.accepted() >= BACKLOG + 1, "the backlog's seqs count as accepted: " + f.accepted());
        assertEquals(0, f.lostAccepted(), log);
        assertEquals(0, f.lost(), log);
        assertEquals(0, f.duplicatesByMeasurement(), "every arrival matched a generated reading once");
        assertEquals(f.generated() - f.notHeard(), f.delivered(), "everything heard was delivered, the backlog included\n" + log);
        assertEquals(BACKLOG, r.backlog());
        assertTrue(r.backlogDrainMs() > 0, "drain timed at the head-end: " + r.backlogDrainMs());
        assertTrue(r.backlogAckedMs() > 0, "drain timed at the gateway: " + r.backlogAckedMs());
        assertEquals(0, r.evictions());

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertEquals(BACKLOG, json.get("backlog").asLong());
        assertEquals(r.backlogDrainMs(), json.get("backlog_drain_ms").asLong());
        assertTrue(f.maxLatencyMs() >= r.backlogDrainMs(), "the last backlog reading, generated at the launch, counts in the latency "
                + r.toJson());
    }
}
