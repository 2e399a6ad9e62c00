package io.meterlink.cli.arch;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module boundaries of {@code shared/DESIGN.md} as ArchUnit rules over the packages under
 * {@code root} ({@code io.meterlink} for the product; another root for the test's violating set).
 */
final class Boundaries {
    private Boundaries() {
    }

    /** Drivers are plugins: from the core they see only the public contracts in {@code core.api}. */
    static ArchRule driversSeeOnlyTheCoreApi(String root) {
        return noClasses().that().resideInAPackage(root + ".drivers..")
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "are in " + root + " but neither in core.api nor in drivers",
                        (JavaClass c) -> c.getPackageName().startsWith(root + ".")
                                && !c.getPackageName().startsWith(root + ".core.api")
                                && !c.getPackageName().startsWith(root + ".drivers")))
                .as("drivers depend on the core only through " + root + ".core.api");
    }

    /** The buffer is the store of record; it never knows who reads it. */
    static ArchRule bufferNeverSeesTheUplink(String root) {
        return noClasses().that().resideInAPackage(root + ".core.buffer..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.uplink..")
                .as("the buffer never depends on the uplink");
    }

    /** The uplink's implementation (the MQTT client adapters) is reached only through the uplink. */
    static ArchRule uplinkInternalsStayInside(String root) {
        return noClasses().that().resideOutsideOfPackage(root + ".core.uplink..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.uplink.internal..")
                .as("only the uplink depends on " + root + ".core.uplink.internal");
    }

    /** The CLI finds drivers through ServiceLoader; it names none. */
    static ArchRule cliNamesNoDriver(String root) {
        return noClasses().that().resideInAPackage(root + ".cli..")
                .should().dependOnClassesThat().resideInAPackage(root + ".drivers..")
                .as("the CLI (distribution) depends on no driver package");
    }

    /** No two packages depend on each other, directly or round about. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").namingSlices("$1").should().beFreeOfCycles()
                .as("no package cycles under " + root);
    }

    static List<ArchRule> all(String root) {
        return List.of(driversSeeOnlyTheCoreApi(root), bufferNeverSeesTheUplink(root), uplinkInternalsStayInside(root), cliNamesNoDriver(root),
                noPackageCycles(root));
    }
}
