package io.meterlink.sim.scenario;

import io.meterlink.core.api.Priority;
import io.meterlink.core.buffer.BufferException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.bundle.SigningKeyPin;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.SecureFiles;
import io.meterlink.sim.faults.SmallFileSystem;
import io.meterlink.sim.headend.GatewaySeq;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.HostileHeadEnd;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.LedgerEntry;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.mbus.VirtualMbusSlave;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.utility.UtilityCa;
import io.meterlink.drivers.ert.ErtProtocol;
import io.meterlink.drivers.ert.ErtReadingMapper;
import io.meterlink.drivers.ert.ErtTypes;
import io.meterlink.drivers.ert.IdmIntervals;
import io.meterlink.sim.rtl.RtlTcpServer;
import io.meterlink.sim.rtl.VirtualRadioMeter;
import io.meterlink.sim.wmbus.Im871aDongle;
import io.meterlink.sim.wmbus.TcpDongleServer;
import io.meterlink.sim.wmbus.VirtualWmbusMeter;
import io.meterlink.sim.wmbus.WmbusBroadcaster;
import io.meterlink.sim.wmbus.WmbusFrameBuilder;
import io.meterlink.sim.wmbus.WmbusLedgerEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import io.meterlink.sim.scenario.ScenarioRunner.ScenarioException;

import static io.meterlink.sim.scenario.ScenarioRunner.GATEWAY_ID;

/**
 * The end of the faults in a {@link ScenarioRunner} run: the timeline's last steps, the uplink path
 * restored, the hostile and fleet head-ends' steps judged.
 */
final class FaultsPhase {
    private final ScenarioRig rig;

    FaultsPhase(ScenarioRig rig) {
        this.rig = rig;
    }

    /** The hostile head-end's attacks as reported, and the failures among them. */
    record AttackOutcome(List<Map<String, Object>> results, List<String> failures) {
    }

    /** Faults: the timeline's last steps, the uplink path restored, the hostile head-end's attacks judged. */
    AttackOutcome run(MeteringPhase.Timeline timeline, UplinkPath path) throws Exception {
        timeline.runDue(rig.spec.duration());
        path.restore();
        List<Map<String, Object>> attackResults = new ArrayList<>();
        List<String> attackFailures = new ArrayList<>();
        if (rig.attacks != null) judgeAttacks(rig.attacks, "hostile_headend", attackResults, attackFailures);
        if (rig.fleetSteps != null) judgeAttacks(rig.fleetSteps, "fleet_ops", attackResults, attackFailures);
        return new AttackOutcome(attackResults, attackFailures);
    }

    /**
     * Waits (up to 5 minutes) for the attacks to end; each outcome goes to the JSON line, each unexpected one
     * is a failure. With fleet operations the gateway is watched meanwhile as in metering: steps that outlast
     * the metering (an update, a rollback) need the restarts the service manager would make.
     */
    private void judgeAttacks(java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> steps, String fault,
                              List<Map<String, Object>> results, List<String> failures) throws InterruptedException, ScenarioException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        while (rig.fleetTarget != null && !steps.isDone() && System.nanoTime() < deadline) {
            rig.checkGateway();
            Thread.sleep(ScenarioRig.TICK.toMillis());
        }
        try {
            for (HostileHeadEnd.Attack a : steps.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                results.add(a.toMap());
                if (!a.asExpected()) failures.add(fault + ": " + a.name() + ": " + a.outcome() + ", expected " + a.expected());
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            failures.add(fault + ": the steps did not complete: " + e);
        }
    }
}
