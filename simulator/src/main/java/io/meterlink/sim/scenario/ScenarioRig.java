package io.meterlink.sim.scenario;

import io.meterlink.core.api.Priority;
import io.meterlink.core.buffer.StoredPriorities;
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
import io.meterlink.sim.mbus.LineNoise;
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
 * What the phases of one {@link ScenarioRunner} run share: the scenario, the virtual meters and their
 * lines, the gateway runs with their traced seqs, kills and fault windows, the head-ends' state, and the
 * steps every phase takes (start and check the gateway, sample the buffer, count what was generated,
 * log). Used by the orchestration thread only (the head-ends' threads complete their futures).
 */
final class ScenarioRig {
    static final Duration TICK = Duration.ofMillis(100);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** How the gateway's ert driver maps packets (its default multipliers), to know what it must deliver. */
    static final ErtReadingMapper ERT_MAPPING = new ErtReadingMapper(
            java.util.Map.of(ErtTypes.Commodity.ELECTRIC, java.math.BigDecimal.valueOf(1000)), java.util.Map.of());
    final ScenarioSpec spec;
    final Path jar;
    final Path dir;
    final PrintStream progress;
    final Clock clock = Clock.systemUTC();
    final Random random;
    final List<VirtualMbusBus> buses = new ArrayList<>();
    final List<SerialLine> serialLines = new ArrayList<>();
    final List<WmbusBroadcaster> radios = new ArrayList<>();
    final List<RtlTcpServer> ertServers = new ArrayList<>();
    final List<io.meterlink.sim.electricity.ElectricityLineEndpoint> electricityLines = new ArrayList<>();
    /** Pulse outputs and the meter id the gateway counts each under. */
    final List<io.meterlink.sim.pulse.PulseGenerator> pulseGenerators = new ArrayList<>();
    final List<String> pulseMeterIds = new ArrayList<>();
    final List<io.meterlink.sim.coap.VirtualCoapMeter> coapMeters = new ArrayList<>();
    /** The pulse totals judged at the end of the drain, and the inexact ones. */
    List<Map<String, Object>> pulses = List.of();
    final List<String> pulseFailures = new ArrayList<>();
    final List<java.util.function.Supplier<List<io.meterlink.sim.electricity.ElectricityLedgerEntry>>> electricityLedgers = new ArrayList<>();
    final List<AutoCloseable> lines = new ArrayList<>();
    final List<io.meterlink.sim.modbus.VirtualModbusMeter> modbusMeters = new ArrayList<>();
    final List<GatewayProcess> runs = new ArrayList<>();
    final Set<Long> traced = new HashSet<>();
    final List<Instant> kills = new ArrayList<>();
    final List<Accounting.Window> windows = new ArrayList<>();
    final List<Accounting.Excuse> excuses = new ArrayList<>();
    final Map<Integer, LineNoise> lateLines = new HashMap<>();
    final EvictionAudit audit = new EvictionAudit();
    Instant nextAudit = Instant.MIN;
    Instant openKillWindow;
    long maxDepth;
    long lastDepth;
    long peakRssKib = -1;
    /** The state directory's own file system, with a {@code disk_full} fault. */
    SmallFileSystem stateFs;
    ScenarioBacklog backlog;
    /** Set when the scenario has fleet operations: the head-end's target, its steps, the releases and the launcher. */
    io.meterlink.sim.headend.FleetHeadEnd.Target fleetTarget;
    java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> fleetSteps;
    Path releases;
    Path launcher;
    Path runConfig;
    StatusWatcher statusWatcher;
    /** Set when the scenario has a hostile head-end: its target, and the thread running its attacks. */
    HostileHeadEnd.Target hostileTarget;
    java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> attacks;
    /** The utility key pinned for this run (set by {@link SetupPhase#identity}). */
    java.security.KeyPair utilityKey;

    Fault.DiskFull diskFull() {
        return spec.faults().stream().filter(Fault.DiskFull.class::isInstance).map(Fault.DiskFull.class::cast)
                .findFirst().orElse(null);
    }

    Fault.HostileHeadend hostileFault() {
        return spec.faults().stream().filter(Fault.HostileHeadend.class::isInstance).map(Fault.HostileHeadend.class::cast)
                .findFirst().orElse(null);
    }

    Fault.FleetOps fleetFault() {
        return spec.faults().stream().filter(Fault.FleetOps.class::isInstance).map(Fault.FleetOps.class::cast).findFirst().orElse(null);
    }

    void startGateway(Path configFile, StatusWatcher status) throws IOException {
        int n = runs.size() + 1;
        status.runStarted(clock.instant());
        List<String> runArgs = hostileTarget == null ? List.of()
                : List.of("--bundle-trial-timeout", Long.toString(hostileTarget.trialBound().toSeconds()));
        Fault.FleetOps fleet = fleetFault();
        if (fleet != null) {
            runs.add(GatewayProcess.startLauncher(launcher, releases, configFile, spec.gateway().jvmArgs(), dir.resolve("gateway-" + n + ".log"),
                    List.of("--update-health-timeout", Long.toString(fleet.updateHealth().toSeconds()))));
            return;
        }
        runs.add(GatewayProcess.start(jar, configFile, spec.gateway().jvmArgs(), dir.resolve("gateway-" + n + ".log"), runArgs));
    }

    GatewayProcess current() {
        return runs.get(runs.size() - 1);
    }

    /** Fails when the gateway died without being killed; closes a kill's fault window once the new run accepts. */
    void checkGateway() throws ScenarioException {
        if (runs.isEmpty()) return;
        GatewayProcess g = current();
        boolean waitingForRestart = kills.size() == runs.size();
        if (!g.isAlive() && fleetTarget != null) {
            // as systemd's Restart=always: a requested restart (75), a release that cannot start, anything
            traced.addAll(seqs(g.acceptedRanges()));
            log("gateway run %d exited with %d; started again through the launcher", runs.size(), g.exitCode());
            try {
                startGateway(runConfig, statusWatcher);
            } catch (IOException e) {
                throw new ScenarioException("cannot start the gateway again: " + e.getMessage());
            }
            return;
        }
        if (!g.isAlive() && !waitingForRestart) {
            throw new ScenarioException("the gateway (run " + runs.size() + ") exited on its own:\n" + g.logTail(40));
        }
        if (openKillWindow != null && g.isAlive() && runs.size() > kills.size() && g.acceptedCount() > 0) {
            windows.add(new Accounting.Window(openKillWindow, clock.instant()));
            openKillWindow = null;
        }
    }

    long sample(Path db) {
        long depth = -1;
        try {
            if (Files.exists(db)) {
                BufferStats stats = SqliteBuffer.inspect(db);
                depth = stats.depth();
                if (backlog != null) backlog.observe(stats, clock.instant());
            }
        } catch (BufferException e) {
            // the gateway is writing just now: the next sample reads it
        }
        if (depth >= 0) lastDepth = depth;
        maxDepth = Math.max(maxDepth, depth);
        GatewayProcess g = current();
        if (g.isAlive()) peakRssKib = Math.max(peakRssKib, g.peakRssKib());
        return depth;
    }

    /** Snapshots the buffer's rows for the {@link EvictionAudit}, at most once a second, when the scenario caps the buffer. */
    void audit(Path db, HeadEnd headEnd) {
        if (spec.gateway().bufferMaxBytes() <= 0 || clock.instant().isBefore(nextAudit)) return;
        nextAudit = clock.instant().plusSeconds(1);
        StoredPriorities rows = StoredPriorities.read(db, EvictionAudit.MAX_ROWS);
        if (rows != null) audit.snapshot(rows.seqs(), rows.priorities(), seq -> headEnd.hasSeen(new GatewaySeq(GATEWAY_ID, seq)));
    }

    long undelivered(HeadEnd headEnd) {
        Set<Long> all = new HashSet<>(traced);
        all.addAll(seqs(current().acceptedRanges()));
        Set<GatewaySeq> seen = headEnd.seenSeqs();
        return all.stream().filter(s -> !seen.contains(new GatewaySeq(GATEWAY_ID, s))).count();
    }

    static long evictions(Path db) {
        try {
            BufferStats s = SqliteBuffer.inspect(db);
            return s.evictions().values().stream().mapToLong(Long::longValue).sum();
        } catch (BufferException e) {
            return -1;
        }
    }

    List<Verdict.Generated> generated() {
        List<Verdict.Generated> out = new ArrayList<>();
        for (VirtualMbusBus bus : buses) {
            for (LedgerEntry e : bus.ledger()) e.readings().forEach(r -> out.add(new Verdict.Generated(r, e.generatedAt())));
        }
        for (WmbusBroadcaster air : radios) {
            for (VirtualWmbusMeter m : air.meters()) {
                for (WmbusLedgerEntry e : m.ledger()) e.readings().forEach(r -> out.add(new Verdict.Generated(r, e.generatedAt())));
            }
        }
        out.addAll(ertGenerated());
        for (var ledger : electricityLedgers) {
            for (var e : ledger.get()) e.readings().forEach(r -> out.add(new Verdict.Generated(r, e.generatedAt())));
        }
        return out;
    }

    long generatedCount() {
        long n = 0;
        for (VirtualMbusBus bus : buses) {
            for (VirtualMbusSlave s : bus.slaves()) for (LedgerEntry e : s.ledger()) n += e.readings().size();
        }
        for (WmbusBroadcaster air : radios) {
            for (VirtualWmbusMeter m : air.meters()) for (WmbusLedgerEntry e : m.ledger()) n += e.readings().size();
        }
        for (var ledger : electricityLedgers) for (var e : ledger.get()) n += e.readings().size();
        return n + ertGenerated().size();
    }

    /**
     * The readings the gateway must deliver for the ert meters' packets, mapped as its driver maps them
     * (the register, R900 flags, the IDM intervals new since the meter's previous packet). Their times
     * are the gateway's receive time, unknown here: {@link Accounting} matches ert readings without it.
     */
    List<Verdict.Generated> ertGenerated() {
        List<Verdict.Generated> out = new ArrayList<>();
        for (RtlTcpServer s : ertServers) {
            for (VirtualRadioMeter m : s.meters()) {
                IdmIntervals fresh = new IdmIntervals();
                for (VirtualRadioMeter.Sent e : m.ledger()) {
                    for (io.meterlink.core.api.Reading r : ERT_MAPPING.toReadings(e.packet(), e.at(), fresh.fresh(e.packet()))) {
                        out.add(new Verdict.Generated(r, e.at()));
                    }
                }
            }
        }
        return out;
    }

    void progress(Instant t0, String phase, HeadEnd headEnd, StatusWatcher status) {
        long accepted = traced.size() + (current().isAlive() ? current().acceptedCount() : 0);
        log("[%4ds] %-8s generated %d  accepted %d  delivered %d  depth %d (max %d)  bad frames %d  gateway run %d%s",
                Duration.between(t0, clock.instant()).toSeconds(), phase, generatedCount(), accepted, headEnd.delivered(),
                lastDepth, maxDepth, status.badFrames(), runs.size(), current().isAlive() ? "" : " (down)");
    }

    static Set<Long> seqs(List<long[]> ranges) {
        Set<Long> out = new HashSet<>();
        for (long[] r : ranges) for (long s = r[0]; s <= r[1]; s++) out.add(s);
        return out;
    }

    void closeLines() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            try {
                lines.get(i).close();
            } catch (Exception e) {
                log("closing a meter line: %s", e);
            }
        }
    }

    void log(String format, Object... args) {
        progress.printf("scenario %s: %s%n", spec.name(), String.format(Locale.ROOT, format, args));
    }

    ScenarioRig(ScenarioSpec spec, Path jar, Path dir, PrintStream progress) {
        this.spec = spec;
        this.jar = jar;
        this.dir = dir;
        this.progress = progress;
        this.random = new Random(spec.seed());
    }
}
