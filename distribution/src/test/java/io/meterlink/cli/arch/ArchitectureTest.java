package io.meterlink.cli.arch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.ViolationHandler;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module boundaries of {@code shared/DESIGN.md}, checked on the product's classes (gateway-core,
 * drivers, provisioning and the CLI: everything this module sees), and shown to fail on a class set
 * that breaks each of them.
 */
class ArchitectureTest {

    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.meterlink");

    private static final JavaClasses VIOLATING = new ClassFileImporter().importPackages("io.meterlink.archfixture");

    @Test
    void product_importsEveryModule() {
        for (String p : List.of("io.meterlink.core.api", "io.meterlink.core.buffer", "io.meterlink.core.uplink",
                "io.meterlink.drivers.mbus", "io.meterlink.provisioning.tech", "io.meterlink.cli")) {
            assertTrue(PRODUCT.containPackage(p), "classes of " + p + " were imported");
        }
        assertFalse(PRODUCT.containPackage("io.meterlink.archfixture"), "test classes are not part of the product");
    }

    @Test
    void product_keepsEveryBoundary() {
        for (ArchRule rule : Boundaries.gateway("io.meterlink")) {
            rule.check(PRODUCT);
        }
    }

    @Test
    void violatingClassSet_breaksEveryRule() {
        assertEquals(List.of("io.meterlink.archfixture.drivers.bad.BadDriver -> io.meterlink.archfixture.core.runtime.Runtime"),
                offenders(Boundaries.driversSeeOnlyTheCoreApi("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.core.buffer.Buffer -> io.meterlink.archfixture.core.uplink.Uplink"),
                offenders(Boundaries.bufferNeverSeesTheUplink("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.cli.BadCli -> io.meterlink.archfixture.core.uplink.internal.Session",
                        "io.meterlink.archfixture.sim.BadSim -> io.meterlink.archfixture.core.uplink.internal.Session"),
                offenders(Boundaries.uplinkInternalsStayInside("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.cli.BadCli -> io.meterlink.archfixture.drivers.bad.BadDriver"),
                offenders(Boundaries.cliNamesNoDriver("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.sim.BadSim -> io.meterlink.archfixture.core.uplink.internal.Session"),
                offenders(Boundaries.simulatorUsesNoInternals("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.provisioning.BadProvisioning -> io.meterlink.archfixture.sim.BadSim"),
                offenders(Boundaries.gatewayNeverSeesTheSimulator("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.drivers.transport.BadTransport -> io.meterlink.archfixture.drivers.bad.BadDriver"),
                offenders(Boundaries.sharedDriverPartsNameNoFamily("io.meterlink.archfixture")));
        assertEquals(List.of("io.meterlink.archfixture.drivers.bad.SelfGuardingDriver.handle([B)"),
                violatingCodeUnits(Boundaries.driversLeaveDecoderFaultsToTheGuard("io.meterlink.archfixture")));
        EvaluationResult cycles = Boundaries.noPackageCycles("io.meterlink.archfixture").evaluate(VIOLATING);
        assertTrue(cycles.hasViolation(), "the buffer ↔ runtime cycle is found");
        String report = cycles.getFailureReport().toString();
        assertTrue(report.contains("core.buffer") && report.contains("core.runtime"), report);
    }

    /** The full names of the code units a rule over code units finds on the violating set. */
    private static List<String> violatingCodeUnits(ArchRule rule) {
        Set<String> units = new TreeSet<>();
        rule.evaluate(VIOLATING).handleViolations(new ViolationHandler<JavaCodeUnit>() { // anonymous: ArchUnit reads its type argument
            @Override
            public void handle(Collection<JavaCodeUnit> violating, String message) {
                violating.forEach(u -> units.add(u.getFullName()));
            }
        });
        return List.copyOf(units);
    }

    /** "A -> B" once per offending pair of classes, from the rule's violations on the violating set. */
    private static List<String> offenders(ArchRule rule) {
        EvaluationResult r = rule.evaluate(VIOLATING);
        Set<String> pairs = new TreeSet<>();
        r.handleViolations(new ViolationHandler<Dependency>() { // an anonymous class: ArchUnit reads its type argument
            @Override
            public void handle(Collection<Dependency> violating, String message) {
                violating.forEach(d -> pairs.add(d.getOriginClass().getName() + " -> " + d.getTargetClass().getName()));
            }
        });
        return List.copyOf(pairs);
    }
}
