package io.meterlink.sim.scenario;

import io.meterlink.sim.headend.GatewaySeq;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioBacklogTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void fill_writesEveryReadingIntoANewBuffer_asSeqs1ToN_ofDistinctMeasurements() throws Exception {
        Path db = dir.resolve("buffer.db");
        ScenarioBacklog b = ScenarioBacklog.fill(db, "gw", 2_000, 100, NOW);

        BufferStats stats = SqliteBuffer.inspect(db);
        assertEquals(2_000, stats.depth());
        Set<Long> seqs = new HashSet<>();
        b.addSeqsTo(seqs);
        assertEquals(2_000, seqs.size());
        assertTrue(seqs.contains(1L) && seqs.contains(2_000L));
        Instant launch = NOW.plusSeconds(60);
        List<Verdict.Generated> g = b.generated(launch);
        assertEquals(2_000, g.size());
        assertTrue(g.stream().allMatch(x -> x.at().equals(launch)));
        assertEquals(2_000, g.stream().map(x -> Verdict.keyOf(x.reading().measurementKey(), x.reading().value()))
                .collect(Collectors.toSet()).size(), "every backlog reading is its own measurement");
        assertTrue(g.stream().allMatch(x -> x.reading().meter().toString().startsWith("mbus:KAM:9")), "ids apart from live meters");
    }

    @Test
    void fill_refusesABufferThatHoldsReadings() throws Exception {
        Path db = dir.resolve("buffer.db");
        ScenarioBacklog.fill(db, "gw", 10, 1, NOW);
        assertThrows(IllegalStateException.class, () -> ScenarioBacklog.fill(db, "gw", 10, 1, NOW));
    }

    @Test
    void drainedAt_isTheLastBacklogArrival_onlyOnceEverySeqArrived() throws Exception {
        ScenarioBacklog b = ScenarioBacklog.fill(dir.resolve("buffer.db"), "gw", 3, 1, NOW);
        List<HeadEnd.Arrival> a = new ArrayList<>();
        a.add(new HeadEnd.Arrival(new GatewaySeq("gw", 2), "k2", NOW.plusSeconds(5)));
        a.add(new HeadEnd.Arrival(new GatewaySeq("gw", 1), "k1", NOW.plusSeconds(7)));
        a.add(new HeadEnd.Arrival(new GatewaySeq("other", 3), "k3", NOW.plusSeconds(8)));
        a.add(new HeadEnd.Arrival(new GatewaySeq("gw", 4), "live", NOW.plusSeconds(9)));
        assertEquals(Optional.empty(), b.drainedAt("gw", a), "seq 3 of this gateway is missing");
        a.add(new HeadEnd.Arrival(new GatewaySeq("gw", 3), "k3", NOW.plusSeconds(6)));
        assertEquals(Optional.of(NOW.plusSeconds(7)), b.drainedAt("gw", a));
    }

    @Test
    void observe_acknowledgedOnceTheOldestReadingLeftCameAfterTheLaunch() throws Exception {
        ScenarioBacklog b = ScenarioBacklog.fill(dir.resolve("buffer.db"), "gw", 3, 1, NOW);
        Instant launch = NOW.plusSeconds(10);
        b.observe(stats(0, 0), launch.plusSeconds(1));
        assertEquals(Optional.empty(), b.ackedAt(), "not launched yet: nothing to say");
        b.launched(launch);
        b.observe(stats(5, 25_000), launch.plusSeconds(20));
        assertEquals(Optional.empty(), b.ackedAt(), "the oldest left was accepted 5 s before the launch: a backlog reading");
        b.observe(stats(2, 3_000), launch.plusSeconds(21));
        assertEquals(Optional.of(launch.plusSeconds(21)), b.ackedAt(), "the oldest left is a live reading");
        b.observe(stats(0, 0), launch.plusSeconds(30));
        assertEquals(Optional.of(launch.plusSeconds(21)), b.ackedAt(), "the first sample that saw it counts");
    }

    @Test
    void observe_emptyBufferMeansAcknowledged() throws Exception {
        ScenarioBacklog b = ScenarioBacklog.fill(dir.resolve("buffer.db"), "gw", 3, 1, NOW);
        b.launched(NOW);
        b.observe(stats(0, 0), NOW.plusSeconds(4));
        assertEquals(Optional.of(NOW.plusSeconds(4)), b.ackedAt());
    }

    private static BufferStats stats(long depth, long oldestAgeMs) {
        return new BufferStats(depth, depth * 300, 1L << 30, oldestAgeMs, 100, 100, 100 - depth, Map.of(), 0, List.of());
    }
}
