package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.sim.headend.HostileHeadEnd;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code hostile_headend} fault as the parser binds it, and how an attack is judged. */
class HostileHeadendScenarioTest {
    private final ScenarioParser parser = new ScenarioParser();

    @Test
    void theShippedScenario_parses_withItsAttackSettings() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("scenarios/hostile-headend.yaml")); // tests run in the module directory
        Fault.HostileHeadend h = (Fault.HostileHeadend) spec.faults().get(0);
        assertEquals(80, h.oversizedMib());
        assertEquals(Duration.ofSeconds(5), h.trialBound());
        assertEquals("hostile_headend", h.type());
    }

    @Test
    void badSettings_areNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("s.yaml"), """
                name: s
                meters: [{protocol: mbus_tcp, count: 1}]
                faults:
                  - {type: hostile_headend, at: 1s, oversized_mib: 900, trial_bound: 0s}
                """));
        String all = e.errors().toString();
        assertTrue(all.contains("oversized_mib") && all.contains("trial_bound"), all);
    }

    @Test
    void anAttack_passesOnlyWithAnExpectedOutcome() {
        HostileHeadEnd.Attack ok = new HostileHeadEnd.Attack("oversized", Set.of("too_large", "no_reply"), "no_reply", 5, "");
        HostileHeadEnd.Attack bad = new HostileHeadEnd.Attack("unsigned", Set.of("unsigned"), "ok", 5, "");
        assertTrue(ok.asExpected());
        assertFalse(bad.asExpected());
        assertEquals(false, bad.toMap().get("ok"));
        assertEquals("ok", bad.toMap().get("outcome"));
        assertEquals(List.of("no_reply", "too_large"), ((List<?>) ok.toMap().get("expected")).stream().map(Object::toString).sorted().toList());
    }
}
