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
 * The accounting phase of a {@link ScenarioRunner} run: every generated reading matched against the
 * head-end's arrivals ({@link Accounting}), the eviction audit, the invariants, the attacks, the pulse
 * totals and the storage alarms in one {@link ScenarioResult}.
 */
final class AccountPhase {
    private final ScenarioRig rig;

    AccountPhase(ScenarioRig rig) {
        this.rig = rig;
    }

    /** Accounting: every generated reading matched against the head-end's arrivals, the invariants checked. */
    ScenarioResult run(Instant t0, HeadEnd headEnd, StatusWatcher status, long evictions, FaultsPhase.AttackOutcome attacked)
            throws Exception {
        List<Accounting.Window> faultWindows = new ArrayList<>(rig.windows);
        List<HeadEnd.Arrival> arrivals = headEnd.arrivals();
        if (!arrivals.isEmpty()) faultWindows.add(new Accounting.Window(t0, arrivals.get(0).at())); // start-up
        List<Verdict.Generated> generated = rig.generated();
        Instant drained = null;
        if (rig.backlog != null) {
            // at the launch: inside the start-up window, so the backlog is that window's, and live readings are those
            // generated while it drains (Accounting)
            generated.addAll(rig.backlog.generated(t0));
            drained = rig.backlog.drainedAt(GATEWAY_ID, arrivals).orElse(null);
            rig.log("backlog of %d: %s; %s", rig.backlog.readings(), rig.backlog.ackedAt()
                            .map(at -> "acknowledged to the gateway " + Duration.between(t0, at).toMillis() + " ms after its launch")
                            .orElse("NOT acknowledged to the gateway"),
                    drained == null ? "NOT fully delivered" : "at the head-end " + Duration.between(t0, drained).toMillis() + " ms after");
        }
        Accounting.Figures figures = Accounting.of(GATEWAY_ID, generated, arrivals, headEnd.duplicatesBySeq(),
                rig.traced, t0, rig.kills, rig.spec.gateway().killInFlightWindow(), faultWindows, evictions, rig.excuses);
        long orderViolations = auditEvictions(headEnd, generated);
        logFaultsSent();
        if (!figures.unexcusedSample().isEmpty()) {
            Path list = rig.dir.resolve("never-delivered.txt");
            Files.write(list, figures.unexcusedSample());
            rig.log("never delivered, nothing excuses: %s … (%d listed in %s)",
                    String.join("; ", figures.unexcusedSample().subList(0, Math.min(3, figures.unexcusedSample().size()))),
                    figures.unexcusedSample().size(), list);
        }
        ScenarioResult result = new ScenarioResult(rig.spec.name(), figures, rig.maxDepth, evictions, status.badFrames(),
                rig.peakRssKib, rig.runs.size(), List.of(), status.badInputByKind(), orderViolations, rig.spec.backlog(),
                drained == null ? -1 : Duration.between(t0, drained).toMillis(),
                rig.backlog == null ? -1 : rig.backlog.ackedAt().map(at -> Duration.between(t0, at).toMillis()).orElse(-1L));
        List<String> failures = new ArrayList<>(InvariantCheck.failures(rig.spec.invariants(), result));
        failures.addAll(attacked.failures());
        failures.addAll(rig.pulseFailures);
        result = result.withAttacks(attacked.results()).withPulses(rig.pulses).withFailed(failures);
        if (rig.stateFs != null) result = storageTimeline(result, status, t0);
        return result;
    }

    /**
     * The storage alarms the gateway's status showed (seconds after the start of metering) beside the
     * fault's window; a disk_full run fails unless an alarm was raised during the fault and every one
     * was cleared after it.
     */
    private ScenarioResult storageTimeline(ScenarioResult result, StatusWatcher status, Instant t0) {
        Fault.DiskFull df = rig.diskFull();
        List<Map<String, Object>> timeline = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (StatusWatcher.StorageAlarm a : status.storageAlarms()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("alarm", a.alarm());
            m.put("fault_at_s", df.at().toMillis() / 1000.0);
            m.put("fault_end_s", df.at().plus(df.length()).toMillis() / 1000.0);
            m.put("raised_at_s", Duration.between(t0, a.raisedAt()).toMillis() / 1000.0);
            m.put("cleared_at_s", a.clearedAt() == null ? null : Duration.between(t0, a.clearedAt()).toMillis() / 1000.0);
            timeline.add(m);
            if (a.clearedAt() == null) failed.add("storage_alarm: " + a.alarm() + " never cleared");
        }
        if (timeline.isEmpty()) failed.add("storage_alarm: no storage alarm seen while the disk was full");
        return result.withStorageAlarms(timeline).withFailed(failed);
    }

    /** Evicted readings (accepted, never delivered) that the eviction policy did not name; 0 without a buffer cap. */
    private long auditEvictions(HeadEnd headEnd, List<Verdict.Generated> generated) {
        if (rig.spec.gateway().bufferMaxBytes() <= 0) return 0;
        Set<Long> evicted = new HashSet<>();
        for (long seq : rig.traced) if (!headEnd.hasSeen(new GatewaySeq(GATEWAY_ID, seq))) evicted.add(seq);
        Priority lowest = generated.stream().map(g -> Priority.of(g.reading())).min(Comparator.naturalOrder()).orElse(Priority.DIAGNOSTIC);
        List<Long> wrong = rig.audit.violations(evicted, lowest);
        rig.log("eviction audit: %d buffer snapshots, %d accepted readings never delivered, %d not named by the policy%s", rig.audit.snapshots(),
                evicted.size(), wrong.size(), wrong.isEmpty() ? "" : " (seqs " + wrong.subList(0, Math.min(10, wrong.size())) + ")");
        return wrong.size();
    }

    private void logFaultsSent() {
        for (int i = 0; i < rig.radios.size(); i++) {
            List<WmbusBroadcaster.SentFault> sent = rig.radios.get(i).faultsSent();
            if (!sent.isEmpty()) rig.log("radio %d: %d bad frame(s) sent", i, sent.size());
        }
        rig.lateLines.forEach((line, noise) -> rig.log("wired line %d: %d late answer(s)", line, noise.stats().late()));
    }
}
