package io.meterlink.sim.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.meterlink.cli.arch.Boundaries;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundaries between modules ({@link Boundaries#everyModule}, each shown failing on a violating
 * class set by the distribution's {@code ArchitectureTest}) checked here on every module at once: only
 * this module's classpath holds the simulator beside the gateway. So the simulator is held to them
 * too (no {@code internal} package, no package cycle), and no gateway module names it. The no-cycles
 * rule is also shown failing here, on a fixture with the cycles the simulator once had.
 */
class SimulatorArchitectureTest {

    /** Main classes only: test classes and the distribution's test jar (its violating fixture) stay out. */
    private static final JavaClasses EVERY_MODULE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("io.meterlink");

    /** The simulator's old cycles, rebuilt in test classes (io.meterlink.simfixture). */
    private static final JavaClasses CYCLIC = new ClassFileImporter().importPackages("io.meterlink.simfixture");

    @Test
    void everyModuleIsImported() {
        for (String p : List.of("io.meterlink.core.api", "io.meterlink.core.uplink", "io.meterlink.drivers.transport",
                "io.meterlink.drivers.mbus", "io.meterlink.provisioning.tech", "io.meterlink.cli", "io.meterlink.payload",
                "io.meterlink.sim.scenario", "io.meterlink.sim.headend", "io.meterlink.sim.bench", "io.meterlink.sim.mbus",
                "io.meterlink.sim.model", "io.meterlink.sim.faults")) {
            assertTrue(EVERY_MODULE.containPackage(p), "classes of " + p + " were imported");
        }
        assertFalse(EVERY_MODULE.containPackage("io.meterlink.archfixture"), "the violating fixture is not imported");
        assertFalse(EVERY_MODULE.containPackage("io.meterlink.simfixture"), "the cyclic fixture is not imported");
        assertFalse(EVERY_MODULE.containPackage("io.meterlink.sim.arch"), "test classes are not imported");
    }

    @Test
    void everyModule_keepsEveryBoundary() {
        for (ArchRule rule : Boundaries.everyModule("io.meterlink")) {
            rule.check(EVERY_MODULE);
        }
    }

    @Test
    void theNoCyclesRule_findsEachCycleOfTheFixture() {
        EvaluationResult result = Boundaries.noPackageCycles("io.meterlink.simfixture").evaluate(CYCLIC);
        assertTrue(result.hasViolation());
        assertEquals(Set.of("[sim.bench, sim.scenario]", "[sim.faults, sim.mbus, sim.model]"),
                cycles(result), result.getFailureReport().toString());
    }

    /** The rules this test applies to every module include the one that finds the cycles (and only it fails on them). */
    @Test
    void theRulesAppliedHere_failOnTheCyclicFixture() {
        List<String> failing = Boundaries.everyModule("io.meterlink.simfixture").stream()
                .filter(rule -> rule.allowEmptyShould(true).evaluate(CYCLIC).hasViolation()) // the other rules find no class of theirs here
                .map(ArchRule::getDescription)
                .toList();
        assertEquals(List.of("no package cycles under io.meterlink.simfixture"), failing);
    }

    /** The package set of each cycle a failure report names ("Cycle detected: a -> b -> a", then its dependencies). */
    private static Set<String> cycles(EvaluationResult result) {
        Set<String> found = new TreeSet<>();
        for (String detail : result.getFailureReport().getDetails()) {
            String path = detail.replaceFirst("^Cycle detected:", "").split("\\n\\s*1\\.", 2)[0];
            Set<String> packages = new TreeSet<>();
            for (String p : path.split("->")) packages.add(p.strip());
            found.add(packages.toString());
        }
        return found;
    }
}
