package io.meterlink.sim.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.meterlink.cli.arch.Boundaries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundaries between modules ({@link Boundaries#everyModule}, each shown failing on a violating
 * class set by the distribution's {@code ArchitectureTest}) checked here on every module at once: only
 * this module's classpath holds the simulator beside the gateway. So the simulator is held to them
 * too (no {@code internal} package), and no gateway module names it.
 */
class SimulatorArchitectureTest {

    /** Main classes only: test classes and the distribution's test jar (its violating fixture) stay out. */
    private static final JavaClasses EVERY_MODULE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("io.meterlink");

    @Test
    void everyModuleIsImported() {
        for (String p : List.of("io.meterlink.core.api", "io.meterlink.core.uplink", "io.meterlink.drivers.transport",
                "io.meterlink.drivers.mbus", "io.meterlink.provisioning.tech", "io.meterlink.cli", "io.meterlink.payload",
                "io.meterlink.sim.scenario", "io.meterlink.sim.headend")) {
            assertTrue(EVERY_MODULE.containPackage(p), "classes of " + p + " were imported");
        }
        assertFalse(EVERY_MODULE.containPackage("io.meterlink.archfixture"), "the violating fixture is not imported");
        assertFalse(EVERY_MODULE.containPackage("io.meterlink.sim.arch"), "test classes are not imported");
    }

    @Test
    void everyModule_keepsEveryBoundary() {
        for (ArchRule rule : Boundaries.everyModule("io.meterlink")) {
            rule.check(EVERY_MODULE);
        }
    }
}
