package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scale options of a scenario file: {@code backlog}, wireless {@code spread}, {@code line_baud}, large dongles. */
class ScenarioScaleOptionsTest {
    private final ScenarioParser parser = new ScenarioParser();

    @Test
    void backlogSpreadAndLineBaud_bind() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("s.yaml"), """
                name: s
                backlog: 1_000_000
                meters:
                  - protocol: wmbus
                    count: 7500
                    per_line: 2500
                    interval: 15m
                    spread: true
                  - protocol: mbus_tcp
                    count: 500
                    per_line: 250
                    line_baud: 2400
                """);
        assertEquals(1_000_000L, spec.backlog());
        ScenarioSpec.MeterGroup radio = spec.meters().get(0);
        assertTrue(radio.spread());
        assertEquals(3, radio.lines(), "2,500 meters per dongle");
        assertEquals(0, radio.lineBaud());
        ScenarioSpec.MeterGroup wired = spec.meters().get(1);
        assertFalse(wired.spread());
        assertEquals(2400, wired.lineBaud());
        assertEquals(2, wired.lines());
    }

    @Test
    void withoutTheKeys_noBacklog_burst_andInstantAnswers() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("d.yaml"), """
                name: d
                meters:
                  - protocol: mbus_tcp
                    count: 3
                """);
        assertEquals(0L, spec.backlog());
        assertFalse(spec.meters().get(0).spread());
        assertEquals(0, spec.meters().get(0).lineBaud());
    }

    @Test
    void badScaleValues_namedWithLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("b.yaml"), """
                name: b
                backlog: -5
                meters:
                  - protocol: mbus_tcp
                    count: 300
                    per_line: 300
                    spread: true
                    line_baud: 1200
                  - protocol: wmbus
                    per_line: 20000
                    line_baud: 2400
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertEquals(List.of(
                "b.yaml:2: backlog: must be between 0 and 100000000 (got '-5')",
                "b.yaml:6: meters[0].per_line: must be between 1 and 250 (got '300')",
                "b.yaml:7: meters[0].spread: only wmbus meters transmit on their own; the gateway polls wired ones",
                "b.yaml:8: meters[0].line_baud: must be 300, 2400 or 9600, got 1200",
                "b.yaml:10: meters[1].per_line: must be between 1 and 10000 (got '20000')",
                "b.yaml:11: meters[1].line_baud: only for mbus_tcp (a serial line has its own speed)"), errors);
    }

    @Test
    void scaleScenario_is10000MetersEvery15Minutes_aMillionReadingBacklog_withTheUnitsMemoryFlags() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("scenarios/scale.yaml"));
        assertEquals(10_000, spec.meters().stream().mapToInt(ScenarioSpec.MeterGroup::count).sum());
        assertTrue(spec.meters().stream().allMatch(g -> g.interval().equals(Duration.ofMinutes(15))));
        assertTrue(spec.meters().stream().filter(g -> g.protocol() != ScenarioSpec.Protocol.WMBUS).allMatch(g -> g.perLine() <= 250));
        assertEquals(1_000_000L, spec.backlog());
        String unit;
        try {
            unit = java.nio.file.Files.readString(Path.of("../distribution/src/main/packaging/meterlink.service"));
        } catch (java.io.IOException e) {
            throw new AssertionError("the systemd unit is read to compare its flags", e);
        }
        String opts = unit.lines().filter(l -> l.startsWith("Environment=\"METERLINK_JAVA_OPTS=")).findFirst().orElseThrow();
        java.util.List<String> unitFlags = java.util.List.of(opts.substring(opts.indexOf('=', 13) + 1, opts.length() - 1).split(" "));
        assertTrue(spec.gateway().jvmArgs().contains("-Xmx36m"), "the heap the systemd unit sets");
        assertTrue(unitFlags.containsAll(spec.gateway().jvmArgs()), "scale.yaml runs the gateway with the unit's flags: "
                + spec.gateway().jvmArgs() + " vs " + unitFlags);
        assertTrue(spec.duration().compareTo(Duration.ofMinutes(15)) >= 0, "every meter is read at least once");
        assertEquals(0L, spec.invariants().lostAccepted());
    }
}
