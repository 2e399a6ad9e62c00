package io.meterlink.cli.arch;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.TryCatchBlock;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module boundaries of {@code shared/DESIGN.md} as ArchUnit rules over the packages under
 * {@code root} ({@code io.meterlink} for the product; another root for the test's violating set).
 * Shared with the simulator's tests through this module's test jar: only the simulator's classpath
 * holds every module, the simulator included.
 */
public final class Boundaries {
    private Boundaries() {
    }

    /** Drivers are plugins: from the core they see only the public contracts in {@code core.api}. */
    public static ArchRule driversSeeOnlyTheCoreApi(String root) {
        return noClasses().that().resideInAPackage(root + ".drivers..")
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "are in " + root + " but neither in core.api nor in drivers",
                        (JavaClass c) -> c.getPackageName().startsWith(root + ".")
                                && !c.getPackageName().startsWith(root + ".core.api")
                                && !c.getPackageName().startsWith(root + ".drivers")))
                .as("drivers depend on the core only through " + root + ".core.api");
    }

    /** The buffer is the store of record; it never knows who reads it. */
    public static ArchRule bufferNeverSeesTheUplink(String root) {
        return noClasses().that().resideInAPackage(root + ".core.buffer..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.uplink..")
                .as("the buffer never depends on the uplink");
    }

    /** The uplink's implementation (the MQTT client adapters) is reached only through the uplink. */
    public static ArchRule uplinkInternalsStayInside(String root) {
        return noClasses().that().resideOutsideOfPackage(root + ".core.uplink..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.uplink.internal..")
                .as("only the uplink depends on " + root + ".core.uplink.internal");
    }

    /** The CLI finds drivers through ServiceLoader; it names none. */
    public static ArchRule cliNamesNoDriver(String root) {
        return noClasses().that().resideInAPackage(root + ".cli..")
                .should().dependOnClassesThat().resideInAPackage(root + ".drivers..")
                .as("the CLI (distribution) depends on no driver package");
    }

    /** The simulator drives the gateway through its public types; module internals stay hidden from it too. */
    public static ArchRule simulatorUsesNoInternals(String root) {
        return noClasses().that().resideInAPackage(root + ".sim..")
                .should().dependOnClassesThat().resideInAPackage(root + "..internal..")
                .as("the simulator depends on no internal package");
    }

    /** The simulator is a test bench around the gateway: nothing that ships may name it. */
    public static ArchRule gatewayNeverSeesTheSimulator(String root) {
        return noClasses().that().resideInAnyPackage(root + ".core..", root + ".drivers..", root + ".provisioning..",
                        root + ".cli..", root + ".payload..")
                .should().dependOnClassesThat().resideInAPackage(root + ".sim..")
                .as("no gateway module depends on the simulator");
    }

    /** The parts every driver family shares (byte transports, checksums) name no family. */
    public static ArchRule sharedDriverPartsNameNoFamily(String root) {
        return noClasses().that().resideInAnyPackage(root + ".drivers.transport..", root + ".drivers.crc..")
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "are in a driver family's package",
                        (JavaClass c) -> c.getPackageName().startsWith(root + ".drivers.")
                                && !c.getPackageName().startsWith(root + ".drivers.transport")
                                && !c.getPackageName().startsWith(root + ".drivers.crc")))
                .as("drivers.transport and drivers.crc depend on no driver family");
    }

    /**
     * Decoder faults are turned into counted bad input in one place, the core's {@code DecodeGuard}: no
     * driver code catches {@link RuntimeException} (nor {@link Exception}) in a try block that calls a
     * decoder, i.e. a method declaring {@code throws core.api.driver.DecodeException}. ({@link Throwable} is
     * left out: the compiler catches it in every try-with-resources to close the resource and rethrow.)
     */
    public static ArchRule driversLeaveDecoderFaultsToTheGuard(String root) {
        String decodeException = root + ".core.api.driver.DecodeException";
        Set<String> broad = Set.of(RuntimeException.class.getName(), Exception.class.getName());
        return codeUnits().that().areDeclaredInClassesThat().resideInAPackage(root + ".drivers..")
                .should(new ArchCondition<JavaCodeUnit>("catch no RuntimeException around a decoder call") {
                    @Override
                    public void check(JavaCodeUnit unit, ConditionEvents events) {
                        for (TryCatchBlock b : unit.getTryCatchBlocks()) {
                            boolean catchesFaults = b.getCaughtThrowables().stream().anyMatch(c -> broad.contains(c.getName()));
                            boolean callsDecoder = b.getAccessesContainedInTryBlock().stream()
                                    .anyMatch(a -> a instanceof JavaCall<?> call && call.getTarget().getThrowsClause().containsType(decodeException));
                            if (catchesFaults && callsDecoder) {
                                events.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " catches decoder faults itself at "
                                        + b.getSourceCodeLocation() + " (run the decoder through DecodeGuard)"));
                            }
                        }
                    }
                })
                .as("drivers leave decoder faults to the core's DecodeGuard");
    }

    /** No two packages depend on each other, directly or round about. */
    public static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").namingSlices("$1").should().beFreeOfCycles()
                .as("no package cycles under " + root);
    }

    /** The rules on the gateway's modules: what the distribution module sees. */
    public static List<ArchRule> gateway(String root) {
        return List.of(driversSeeOnlyTheCoreApi(root), bufferNeverSeesTheUplink(root), uplinkInternalsStayInside(root), cliNamesNoDriver(root),
                sharedDriverPartsNameNoFamily(root), gatewayNeverSeesTheSimulator(root), noPackageCycles(root),
                driversLeaveDecoderFaultsToTheGuard(root));
    }

    /**
     * The rules between modules, the simulator's too: checked by the simulator module, whose classpath holds
     * every module. No package cycles there either, the simulator's packages included.
     */
    public static List<ArchRule> everyModule(String root) {
        return List.of(driversSeeOnlyTheCoreApi(root), bufferNeverSeesTheUplink(root), uplinkInternalsStayInside(root), cliNamesNoDriver(root),
                sharedDriverPartsNameNoFamily(root), gatewayNeverSeesTheSimulator(root), simulatorUsesNoInternals(root), noPackageCycles(root));
    }
}
