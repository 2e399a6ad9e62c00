package io.meterlink.sim.scenario;

import io.meterlink.core.api.Priority;
import io.meterlink.core.buffer.BufferException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.faults.LineNoise;
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

/**
 * Runs one {@link ScenarioSpec} against the real gateway ({@code meterlink.jar run} as a child JVM):
 * starts the broker, the head-end and the virtual meters, plays the faults on their timeline,
 * stops the meters after {@code duration}, waits for the drain, and accounts for every reading
 * ({@link Accounting}). Progress goes to {@code progress}. Single-threaded orchestration; one run
 * per instance.
 */
public final class ScenarioRunner {
    static final String GATEWAY_ID = "sim-gw";
    private static final int SERIAL_BAUD = 9600;
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** The drain ends once nothing new was accepted for this long (and everything accepted arrived). */
    private static final Duration QUIET = Duration.ofSeconds(5);

    private final ScenarioSpec spec;
    private final Path jar;
    private final Path dir;
    private final PrintStream progress;
    private final Clock clock = Clock.systemUTC();
    private final Random random;

    private final List<VirtualMbusBus> buses = new ArrayList<>();
    private final List<SerialLine> serialLines = new ArrayList<>();
    private final List<WmbusBroadcaster> radios = new ArrayList<>();
    private final List<RtlTcpServer> ertServers = new ArrayList<>();
    /** The DSMR layouts the P1 lines of a group take in turn. */
    private static final List<String> P1_LAYOUTS = List.of("5", "emucs", "3", "4");
    /** The modes the polled IEC 62056-21 meters of a line take in turn (mode D pushes: not on a polled line). */
    private static final List<io.meterlink.sim.electricity.VirtualIecMeter.Mode> IEC_MODES = List.of(
            io.meterlink.sim.electricity.VirtualIecMeter.Mode.C, io.meterlink.sim.electricity.VirtualIecMeter.Mode.E,
            io.meterlink.sim.electricity.VirtualIecMeter.Mode.B, io.meterlink.sim.electricity.VirtualIecMeter.Mode.A);
    /** How the gateway's ert driver maps packets (its default multipliers), to know what it must deliver. */
    private static final ErtReadingMapper ERT_MAPPING = new ErtReadingMapper(
            java.util.Map.of(ErtTypes.Commodity.ELECTRIC, java.math.BigDecimal.valueOf(1000)), java.util.Map.of());
    private final List<io.meterlink.sim.electricity.ElectricityLineEndpoint> electricityLines = new ArrayList<>();
    /** Pulse outputs and the meter id the gateway counts each under. */
    private final List<io.meterlink.sim.pulse.PulseGenerator> pulseGenerators = new ArrayList<>();
    private final List<String> pulseMeterIds = new ArrayList<>();
    private final List<io.meterlink.sim.coap.VirtualCoapMeter> coapMeters = new ArrayList<>();
    /** The pulse totals judged at the end of the drain, and the inexact ones. */
    private List<Map<String, Object>> pulses = List.of();
    private final List<String> pulseFailures = new ArrayList<>();
    private final List<java.util.function.Supplier<List<io.meterlink.sim.electricity.ElectricityLedgerEntry>>> electricityLedgers = new ArrayList<>();
    private final List<AutoCloseable> lines = new ArrayList<>();
    private final List<io.meterlink.sim.modbus.VirtualModbusMeter> modbusMeters = new ArrayList<>();
    private final List<GatewayProcess> runs = new ArrayList<>();
    private final Set<Long> traced = new HashSet<>();
    private final List<Instant> kills = new ArrayList<>();
    private final List<Accounting.Window> windows = new ArrayList<>();
    private final List<Accounting.Excuse> excuses = new ArrayList<>();
    private final Map<Integer, LineNoise> lateLines = new HashMap<>();
    private final EvictionAudit audit = new EvictionAudit();
    private Instant nextAudit = Instant.MIN;
    private Instant openKillWindow;
    private long maxDepth;
    private long lastDepth;
    private long peakRssKib = -1;
    /** The state directory's own file system, with a {@code disk_full} fault. */
    private SmallFileSystem stateFs;
    private ScenarioBacklog backlog;
    /** Set when the scenario has fleet operations: the head-end's target, its steps, the releases and the launcher. */
    private io.meterlink.sim.headend.FleetHeadEnd.Target fleetTarget;
    private java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> fleetSteps;
    private Path releases;
    private Path launcher;
    private Path runConfig;
    private StatusWatcher statusWatcher;
    /** Set when the scenario has a hostile head-end: its target, and the thread running its attacks. */
    private HostileHeadEnd.Target hostileTarget;
    private java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> attacks;

    /**
     * @param jar the gateway's runnable jar
     * @param dir working directory (PKI, broker, buffer, logs); kept after the run for inspection
     */
    public ScenarioRunner(ScenarioSpec spec, Path jar, Path dir, PrintStream progress) {
        this.spec = spec;
        this.jar = jar;
        this.dir = dir;
        this.progress = progress;
        this.random = new Random(spec.seed());
    }

    /** Thrown when a scenario cannot run here (missing tool, unsupported fault, gateway died). */
    public static final class ScenarioException extends Exception {
        public ScenarioException(String message) {
            super(message);
        }
    }

    /**
     * Runs the scenario and returns its result, which names every failed invariant. Its phases: {@link #setup} (broker, meters, configuration, backlog),
     * {@link #meter} (the gateway runs while the fault timeline plays), {@link #endFaults} (the last
     * faults and the hostile head-end's verdict), {@link #drain} (meters stop, everything accepted
     * arrives or is accounted for) and {@link #account} (the figures and the invariants).
     */
    public ScenarioResult run() throws Exception {
        refuseWhatThisBuildCannotDo();
        Files.createDirectories(dir);
        log("working directory %s", dir);
        TestPki pki = TestPki.create(dir.resolve("pki"));
        try (ScenarioBroker broker = spec.broker() == ScenarioSpec.BrokerKind.MOSQUITTO
                ? ScenarioBroker.mosquitto(dir.resolve("broker"), pki)
                : ScenarioBroker.embedded(dir.resolve("broker"), pki, GATEWAY_ID);
             UplinkPath path = spec.faults().stream().anyMatch(Fault::needsProxy)
                     ? new UplinkPath.Proxied(broker.url()) : new UplinkPath.Direct(broker.url());
             HeadEnd headEnd = broker.headEnd(clock);
             StatusWatcher status = new StatusWatcher(broker.url(), broker.headEndUser(), broker.headEndPassword(),
                     broker.headEndTls(), ScenarioBroker.PREFIX, GATEWAY_ID)) {
            log("%s broker on %s", spec.broker().name().toLowerCase(Locale.ROOT), broker.url());
            try {
                Setup setup = setup(broker, path, pki);
                Instant t0 = clock.instant();
                Timeline timeline = meter(setup, broker, path, headEnd, status, t0);
                AttackOutcome attacked = endFaults(timeline, path);
                long evictions = drain(setup.db(), headEnd, status, t0);
                return account(t0, headEnd, status, evictions, attacked);
            } finally {
                for (GatewayProcess g : runs) g.close();
                closeLines();
                if (stateFs != null) stateFs.close();
            }
        }
    }

    /** What the setup phase made: the gateway's state directory, configuration file and buffer. */
    private record Setup(Path stateDir, Path configFile, Path db) {
    }

    /** The hostile head-end's attacks as reported, and the failures among them. */
    private record AttackOutcome(List<Map<String, Object>> results, List<String> failures) {
    }

    /** Setup: the state directory, the virtual meters, the gateway's configuration and the pre-filled backlog. */
    private Setup setup(ScenarioBroker broker, UplinkPath path, TestPki pki) throws Exception {
        Path stateDir = dir.resolve("state");
        Files.createDirectories(stateDir);
        mountStateFileSystem(stateDir);
        GatewayConfigText config = startMeters();
        Path configFile = dir.resolve("meterlink.yaml");
        Files.deleteIfExists(configFile);
        Files.createFile(configFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Fault.HostileHeadend hostile = hostileFault();
        Fault.FleetOps fleet = fleetFault();
        String uplinkYaml = hostile != null ? prepareHostile(hostile, stateDir, pki, path.gatewayUrl())
                : fleet != null ? identityYaml(stateDir, pki, identity(stateDir, pki))
                : broker.gatewayUplinkYaml(GATEWAY_ID);
        Files.writeString(configFile, config.text(GATEWAY_ID, stateDir, spec.gateway(), path.gatewayUrl(), uplinkYaml));
        // fleet mode runs the bundles' configuration in the state directory (so bundles apply live)
        runConfig = fleet == null ? configFile : prepareFleet(stateDir, pki, path.gatewayUrl(), config);
        Path db = stateDir.resolve("buffer.db");
        if (spec.backlog() > 0) fillBacklog(db);
        return new Setup(stateDir, runConfig, db);
    }

    /** Metering: the gateway starts and runs for the scenario's duration while the fault timeline plays. */
    private Timeline meter(Setup setup, ScenarioBroker broker, UplinkPath path, HeadEnd headEnd, StatusWatcher status, Instant t0)
            throws Exception {
        Path configFile = setup.configFile();
        Path db = setup.db();
        if (backlog != null) backlog.launched(t0);
        statusWatcher = status;
        startGateway(configFile, status);
        radios.forEach(WmbusBroadcaster::start);
        Timeline timeline = timeline(broker, path, configFile, status);
        Instant end = t0.plus(spec.duration());
        Instant nextProgress = t0.plus(PROGRESS_EVERY);
        Instant nextSample = t0;
        while (clock.instant().isBefore(end)) {
            timeline.runDue(Duration.between(t0, clock.instant()));
            checkGateway();
            Instant now = clock.instant();
            if (!now.isBefore(nextSample)) {
                sample(db);
                audit(db, headEnd);
                nextSample = now.plusSeconds(1);
            }
            if (!now.isBefore(nextProgress)) {
                progress(t0, "metering", headEnd, status);
                nextProgress = now.plus(PROGRESS_EVERY);
            }
            Thread.sleep(TICK.toMillis());
        }
        return timeline;
    }

    /** Faults: the timeline's last steps, the uplink path restored, the hostile head-end's attacks judged. */
    private AttackOutcome endFaults(Timeline timeline, UplinkPath path) throws Exception {
        timeline.runDue(spec.duration());
        path.restore();
        List<Map<String, Object>> attackResults = new ArrayList<>();
        List<String> attackFailures = new ArrayList<>();
        if (attacks != null) judgeAttacks(attacks, "hostile_headend", attackResults, attackFailures);
        if (fleetSteps != null) judgeAttacks(fleetSteps, "fleet_ops", attackResults, attackFailures);
        return new AttackOutcome(attackResults, attackFailures);
    }

    /** Drain: the meters stop, the gateway delivers what it holds, then stops; the readings evicted from the buffer. */
    private long drain(Path db, HeadEnd headEnd, StatusWatcher status, Instant t0) throws Exception {
        stopMeters();
        log("meters stopped after %ds; draining (up to %ds)", spec.duration().toSeconds(), spec.drainTimeout().toSeconds());
        Thread.sleep(2_000);
        Instant drainEnd = clock.instant().plus(spec.drainTimeout());
        Instant nextProgress = clock.instant().plus(PROGRESS_EVERY);
        long lastAccepted = -1;
        Instant quietSince = clock.instant();
        while (clock.instant().isBefore(drainEnd)) {
            checkGateway();
            long depth = sample(db);
            audit(db, headEnd);
            long acceptedNow = current().acceptedCount();
            if (acceptedNow != lastAccepted) {
                lastAccepted = acceptedNow;
                quietSince = clock.instant();
            }
            // done when the buffer is empty, every accepted seq arrived or was evicted, and nothing was accepted for a while
            // (the last telegrams may still be on their way through a driver)
            // evicted readings (buffer cap) were accepted and will never arrive: the documented bound
            if (depth == 0 && undelivered(headEnd) <= Math.max(0, evictions(db))
                    && Duration.between(quietSince, clock.instant()).compareTo(QUIET) >= 0) break;
            if (!clock.instant().isBefore(nextProgress)) {
                progress(t0, "draining", headEnd, status);
                nextProgress = clock.instant().plus(PROGRESS_EVERY);
            }
            Thread.sleep(250);
        }
        pulses = pulseTotals(headEnd, spec.meters().stream()
                .filter(g -> g.protocol() == ScenarioSpec.Protocol.PULSE).map(ScenarioSpec.MeterGroup::interval)
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO), pulseFailures);
        Thread.sleep(1_000); // late duplicates and the last status message
        progress(t0, "done", headEnd, status);
        log("uplink.payload %s, %s", spec.gateway().payload(), headEnd.wireSummary());
        log("bad input counted by the last gateway run, by kind: %s", status.lastBadInput());
        GatewayProcess last = current();
        peakRssKib = Math.max(peakRssKib, last.peakRssKib());
        int exit = last.stop(Duration.ofSeconds(60));
        traced.addAll(seqs(last.acceptedRanges()));
        if (exit != 0) log("the gateway exited with %d after SIGTERM\n%s", exit, last.logTail(20));
        return evictions(db);
    }

    /** Stops every virtual meter: a silent slave generates nothing more; the drain then lets the last answers commit. */
    private void stopMeters() {
        buses.forEach(b -> b.slaves().forEach(s -> s.setSilent(true)));
        radios.forEach(WmbusBroadcaster::close);
        ertServers.forEach(RtlTcpServer::silence);
        electricityLines.forEach(io.meterlink.sim.electricity.ElectricityLineEndpoint::close);
        modbusMeters.forEach(io.meterlink.sim.modbus.VirtualModbusMeter::silence);
        pulseGenerators.forEach(io.meterlink.sim.pulse.PulseGenerator::stop);
        coapMeters.forEach(io.meterlink.sim.coap.VirtualCoapMeter::silence);
    }

    /** Accounting: every generated reading matched against the head-end's arrivals, the invariants checked. */
    private ScenarioResult account(Instant t0, HeadEnd headEnd, StatusWatcher status, long evictions, AttackOutcome attacked)
            throws Exception {
        List<Accounting.Window> faultWindows = new ArrayList<>(windows);
        List<HeadEnd.Arrival> arrivals = headEnd.arrivals();
        if (!arrivals.isEmpty()) faultWindows.add(new Accounting.Window(t0, arrivals.get(0).at())); // start-up
        List<Verdict.Generated> generated = generated();
        Instant drained = null;
        if (backlog != null) {
            // at the launch: inside the start-up window, so the backlog is that window's, and live readings are those
            // generated while it drains (Accounting)
            generated.addAll(backlog.generated(t0));
            drained = backlog.drainedAt(GATEWAY_ID, arrivals).orElse(null);
            log("backlog of %d: %s; %s", backlog.readings(), backlog.ackedAt()
                            .map(at -> "acknowledged to the gateway " + Duration.between(t0, at).toMillis() + " ms after its launch")
                            .orElse("NOT acknowledged to the gateway"),
                    drained == null ? "NOT fully delivered" : "at the head-end " + Duration.between(t0, drained).toMillis() + " ms after");
        }
        Accounting.Figures figures = Accounting.of(GATEWAY_ID, generated, arrivals, headEnd.duplicatesBySeq(),
                traced, t0, kills, spec.gateway().killInFlightWindow(), faultWindows, evictions, excuses);
        long orderViolations = auditEvictions(headEnd, generated);
        logFaultsSent();
        if (!figures.unexcusedSample().isEmpty()) {
            Path list = dir.resolve("never-delivered.txt");
            Files.write(list, figures.unexcusedSample());
            log("never delivered, nothing excuses: %s … (%d listed in %s)",
                    String.join("; ", figures.unexcusedSample().subList(0, Math.min(3, figures.unexcusedSample().size()))),
                    figures.unexcusedSample().size(), list);
        }
        ScenarioResult result = new ScenarioResult(spec.name(), figures, maxDepth, evictions, status.badFrames(),
                peakRssKib, runs.size(), List.of(), status.badInputByKind(), orderViolations, spec.backlog(),
                drained == null ? -1 : Duration.between(t0, drained).toMillis(),
                backlog == null ? -1 : backlog.ackedAt().map(at -> Duration.between(t0, at).toMillis()).orElse(-1L));
        List<String> failures = new ArrayList<>(InvariantCheck.failures(spec.invariants(), result));
        failures.addAll(attacked.failures());
        failures.addAll(pulseFailures);
        result = result.withAttacks(attacked.results()).withPulses(pulses).withFailed(failures);
        if (stateFs != null) result = storageTimeline(result, status, t0);
        return result;
    }

    /** With a {@code disk_full} fault, the state directory is a small tmpfs of its own (mounting needs root). */
    private void mountStateFileSystem(Path stateDir) throws ScenarioException {
        Fault.DiskFull df = diskFull();
        if (df == null) return;
        try {
            stateFs = SmallFileSystem.mount(stateDir, df.fsSizeBytes());
        } catch (IOException e) {
            throw new ScenarioException("disk_full needs a tmpfs of its own for the gateway's state directory (run as root): "
                    + e.getMessage());
        }
        log("state directory on a tmpfs of %d KiB", df.fsSizeBytes() / 1024);
    }

    private Fault.DiskFull diskFull() {
        return spec.faults().stream().filter(Fault.DiskFull.class::isInstance).map(Fault.DiskFull.class::cast)
                .findFirst().orElse(null);
    }

    /**
     * The storage alarms the gateway's status showed (seconds after the start of metering) beside the
     * fault's window; a disk_full run fails unless an alarm was raised during the fault and every one
     * was cleared after it.
     */
    private ScenarioResult storageTimeline(ScenarioResult result, StatusWatcher status, Instant t0) {
        Fault.DiskFull df = diskFull();
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

    private void refuseWhatThisBuildCannotDo() throws ScenarioException {
        if (spec.meters().stream().anyMatch(g -> g.protocol() == ScenarioSpec.Protocol.MBUS_SERIAL || g.electricity()
                || g.protocol() == ScenarioSpec.Protocol.MODBUS_RTU) && SocatPty.binary() == null) {
            throw new ScenarioException("mbus_serial, p1, sml, iec62056_21 and modbus_rtu meters need socat (apt-get install socat)");
        }
    }

    /** The backlog goes into the new buffer file before the gateway's first start; its seqs 1..N count as accepted. */
    private void fillBacklog(Path db) throws Exception {
        int meters = spec.meters().stream().mapToInt(ScenarioSpec.MeterGroup::count).sum();
        long from = System.nanoTime();
        backlog = ScenarioBacklog.fill(db, GATEWAY_ID, spec.backlog(), meters, clock.instant());
        backlog.addSeqsTo(traced);
        log("backlog: %d readings of %d meters written into the buffer in %d ms", spec.backlog(), meters,
                (System.nanoTime() - from) / 1_000_000);
    }

    private GatewayConfigText startMeters() throws IOException, InterruptedException {
        GatewayConfigText config = new GatewayConfigText();
        int groupIndex = 0;
        int serialLine = 0;
        for (ScenarioSpec.MeterGroup g : spec.meters()) {
            if (g.protocol() == ScenarioSpec.Protocol.WMBUS) {
                startRadio(config, g, groupIndex++);
                continue;
            }
            if (g.protocol() == ScenarioSpec.Protocol.ERT) {
                startErt(config, g, groupIndex++);
                continue;
            }
            if (g.electricity()) {
                startElectricity(config, g, groupIndex++);
                continue;
            }
            if (g.modbus()) {
                startModbus(config, g, groupIndex++);
                continue;
            }
            if (g.protocol() == ScenarioSpec.Protocol.PULSE) {
                startPulse(config, g, groupIndex++);
                continue;
            }
            if (g.protocol() == ScenarioSpec.Protocol.COAP) {
                startCoap(config, g, groupIndex++);
                continue;
            }
            int remaining = g.count();
            for (int line = 0; remaining > 0; line++) {
                int n = Math.min(g.perLine(), remaining);
                remaining -= n;
                List<VirtualMbusSlave> slaves = new ArrayList<>();
                int idBase = 10_000_000 + groupIndex * 1_000_000 + line * 1_000;
                for (int a = 1; a <= n; a++) {
                    boolean heat = a % 3 == 0;
                    slaves.add(new VirtualMbusSlave(a, String.format("%08d", idBase + a), heat ? "KAM" : "ELS",
                            heat ? VirtualMbusSlave.Kind.HEAT : VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC,
                            100_000L + 7_919L * a, 60 + 40L * (a % 10), 1));
                }
                VirtualMbusBus bus = new VirtualMbusBus(slaves);
                if (g.lineBaud() > 0) bus.setAnswerFilter(lineSpeed(g.lineBaud()));
                buses.add(bus);
                List<Integer> addresses = slaves.stream().map(VirtualMbusSlave::address).toList();
                String name = g.protocol().key() + "-" + groupIndex + "-" + line;
                if (g.protocol() == ScenarioSpec.Protocol.MBUS_TCP) {
                    TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus);
                    lines.add(server);
                    config.mbusTcp(name, server.port(), g.interval(), addresses);
                } else {
                    SerialLine serial = new SerialLine(dir, "serial-" + serialLine++, SERIAL_BAUD, bus);
                    lines.add(serial);
                    serialLines.add(serial);
                    config.mbusSerial(name, serial.gatewayEnd(), SERIAL_BAUD, g.interval(), addresses);
                }
            }
            log("%d %s meter(s), every %ds%s", g.count(), g.protocol().key(), g.interval().toSeconds(),
                    g.lineBaud() > 0 ? ", answering at " + g.lineBaud() + " baud" : "");
            groupIndex++;
        }
        return config;
    }

    /**
     * S0 pulse outputs, each a {@link io.meterlink.sim.pulse.PulseGenerator} on a loopback port that the
     * gateway's mock GPIO input reads (30 ms pulses, every {@code damage_every}-th bouncing); the
     * gateway reads the registers out every {@code interval}.
     */
    private void startPulse(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) throws IOException {
        String name = g.protocol().key() + "-" + groupIndex;
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < g.count(); i++) {
            io.meterlink.sim.pulse.PulseGenerator gen = new io.meterlink.sim.pulse.PulseGenerator(g.pulseRateHz(), 30, g.damageEvery());
            lines.add(gen);
            pulseGenerators.add(gen);
            pulseMeterIds.add("pulse:s0:" + name + "-" + i);
            ports.add(gen.port());
        }
        config.pulse(name, g.interval(), ports);
        log("%d pulse meter(s) at %.1f pulses/s%s, read out every %ds", g.count(), g.pulseRateHz(),
                g.damageEvery() > 0 ? ", every " + g.damageEvery() + ". pulse bouncing" : "", g.interval().toSeconds());
    }

    /** CoAP meters serving SenML, observed by the gateway; each notifies every {@code interval}. */
    private void startCoap(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) {
        List<Map.Entry<String, Integer>> meters = new ArrayList<>();
        for (int i = 0; i < g.count(); i++) {
            String id = g.protocol().key() + "-" + groupIndex + "-" + i;
            // short packs: the virtual meter measures anew for every request, which a blockwise transfer (several
            // requests for one representation) would mix up; blockwise is proven against libcoap (CoapLibcoapIT)
            io.meterlink.sim.coap.VirtualCoapMeter m = new io.meterlink.sim.coap.VirtualCoapMeter(id, clock, g.interval(), 0);
            lines.add(m);
            coapMeters.add(m);
            electricityLedgers.add(m::ledger);
            meters.add(Map.entry(id, m.port()));
        }
        config.coap(g.protocol().key() + "-" + groupIndex, g.interval(), meters);
        log("%d coap meter(s) observed, notifying every %ds", g.count(), g.interval().toSeconds());
    }

    /**
     * After metering: each pulse output's generated pulses against the gateway's acknowledged count
     * and the last energy register that reached the head-end (1000 pulses per kWh: 1 Wh each). A
     * total that is not exact is a failure.
     */
    private List<Map<String, Object>> pulseTotals(HeadEnd headEnd, Duration readout, List<String> failures) throws InterruptedException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < pulseGenerators.size(); i++) {
            io.meterlink.sim.pulse.PulseGenerator gen = pulseGenerators.get(i);
            String meter = pulseMeterIds.get(i);
            boolean acked = gen.awaitAcknowledged(10_000);
            long deadline = System.nanoTime() + readout.multipliedBy(3).plusSeconds(5).toNanos();
            java.math.BigDecimal delivered = lastRegister(headEnd, meter);
            while ((delivered == null || delivered.longValue() != gen.generated()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                delivered = lastRegister(headEnd, meter);
            }
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("meter", meter);
            m.put("pulses_generated", gen.generated());
            m.put("pulses_acknowledged", gen.acknowledged());
            m.put("in_flight_at_kill_resent", gen.inFlightAtReconnect());
            m.put("gateway_connections", gen.connections());
            m.put("delivered_wh", delivered);
            out.add(m);
            log("pulse meter %s: %d pulses generated, %d acknowledged, %d in flight at a kill (sent again), last register delivered %s Wh",
                    meter, gen.generated(), gen.acknowledged(), gen.inFlightAtReconnect(), delivered);
            if (!acked || delivered == null || delivered.compareTo(java.math.BigDecimal.valueOf(gen.generated())) != 0) {
                failures.add("pulse_total: " + meter + " delivered " + delivered + " Wh for " + gen.generated() + " pulses");
            }
        }
        return out;
    }

    /** The highest energy register of {@code meter} that arrived at the head-end, or {@code null}. */
    private static java.math.BigDecimal lastRegister(HeadEnd headEnd, String meter) {
        java.math.BigDecimal max = null;
        String prefix = meter + "|energy|";
        for (HeadEnd.Arrival a : headEnd.arrivals()) {
            if (!a.key().startsWith(prefix)) continue;
            java.math.BigDecimal v = new java.math.BigDecimal(a.key().substring(a.key().lastIndexOf('|') + 1));
            if (max == null || v.compareTo(max) > 0) max = v;
        }
        return max;
    }

    /**
     * Answers take their time on an M-Bus line of {@code baud}: request (a 5-character short frame) and
     * answer at 11 bits per character (EN 13757-2 character format: start, 8 data, even parity, stop).
     */
    private static VirtualMbusBus.AnswerFilter lineSpeed(int baud) {
        return (address, answer) -> {
            long ms = (answer.length + 5) * 11_000L / baud;
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return answer;
        };
    }

    /**
     * 900 MHz meters of one group on one rtl_tcp server (the group's protocols in turn, 25 dB SNR), every
     * 10th packet damaged: the gateway must refuse and count it.
     */
    private void startErt(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) throws IOException {
        List<ErtProtocol> protocols = g.ertProtocols().stream().map(ErtProtocol::byName).toList();
        RtlTcpServer server = new RtlTcpServer(new RtlTcpServer.Config(java.net.InetAddress.getLoopbackAddress(), 0, g.count(),
                protocols, random.nextLong(),
                g.interval().toMillis() / 1000.0, 25, 10_000, 2_359_296, null, true, 0, false, 10));
        lines.add(server);
        ertServers.add(server);
        config.ertTcp(g.protocol().key() + "-" + groupIndex, server.port(), g.interval(), g.ertProtocols());
        log("%d ert meter(s) (%s) on rtl_tcp port %d, every %ds, every 10th packet damaged", g.count(), String.join(", ", g.ertProtocols()),
                server.port(), g.interval().toSeconds());
    }

    /** Wireless meters of one group, {@code perLine} per virtual iM871A dongle reached over TCP. */
    private void startRadio(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) throws IOException {
        int remaining = g.count();
        for (int line = 0; remaining > 0; line++) {
            int n = Math.min(g.perLine(), remaining);
            remaining -= n;
            List<VirtualWmbusMeter> meters = new ArrayList<>();
            List<String[]> idsAndKeys = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                String id = String.format("%08d", 50_000_000 + groupIndex * 1_000_000 + line * 10_000 + i);
                byte[] key = null;
                byte[] gatewayKey = null;
                if ("random".equals(g.keys())) {
                    key = new byte[16];
                    random.nextBytes(key);
                    gatewayKey = key;
                    if (line * g.perLine() + i <= g.wrongKeys()) { // the gateway was given another key for this meter
                        gatewayKey = new byte[16];
                        random.nextBytes(gatewayKey);
                    }
                }
                boolean heat = i % 3 == 0;
                meters.add(new VirtualWmbusMeter(id, heat ? "KAM" : "DME", heat ? VirtualWmbusMeter.Kind.HEAT : VirtualWmbusMeter.Kind.WATER,
                        key == null ? WmbusFrameBuilder.Security.NONE : WmbusFrameBuilder.Security.MODE5, key, clock, ZoneOffset.UTC,
                        200_000L + 7_919L * i, 60 + 40L * (i % 10), -60 - i % 40));
                idsAndKeys.add(new String[]{id, gatewayKey == null ? null : HexFormat.of().withUpperCase().formatHex(gatewayKey)});
                if (gatewayKey != key) {
                    excuses.add(new Accounting.Excuse(Accounting.Reason.WRONG_KEY, meters.get(meters.size() - 1).meterId().toString(),
                            new Accounting.Window(Instant.MIN, Instant.MAX)));
                }
            }
            Im871aDongle dongle = new Im871aDongle();
            TcpDongleServer server = new TcpDongleServer(0, dongle);
            WmbusBroadcaster air = new WmbusBroadcaster(meters, dongle, server, g.interval(), random.nextLong(), g.spread());
            lines.add(server);
            lines.add(air); // closed first: no telegram after the dongle is gone
            radios.add(air);
            config.wmbusTcp(g.protocol().key() + "-" + groupIndex + "-" + line, server.port(), dongle.type(), idsAndKeys);
        }
        log("%d wmbus meter(s) (%s), every %ds%s", g.count(), "random".equals(g.keys()) ? "mode 5, own keys" : "in clear",
                g.interval().toSeconds(), g.spread() ? ", spread over the interval" : "");
        if (g.wrongKeys() > 0) log("the gateway has a wrong key for %d of them", g.wrongKeys());
    }

    /**
     * Electricity meters of one group, each on a socat pty pair opened through jSerialComm at both
     * ends: P1 and SML meters one per line (a P1 port or optical head has one meter), IEC 62056-21
     * mode C meters {@code perLine} per line, polled by address.
     */
    private void startElectricity(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) throws IOException, InterruptedException {
        int perLine = g.protocol() == ScenarioSpec.Protocol.IEC62056_21 ? g.perLine() : 1;
        int remaining = g.count();
        for (int line = 0; remaining > 0; line++) {
            int n = Math.min(perLine, remaining);
            remaining -= n;
            String name = g.protocol().key() + "-" + groupIndex + "-" + line;
            SocatPty pty = SocatPty.start(dir, name);
            lines.add(pty::close);
            int first = 70_000_000 + groupIndex * 1_000_000 + line * 1_000;
            io.meterlink.sim.electricity.ElectricityLineEndpoint endpoint;
            switch (g.protocol()) {
                case P1 -> {
                    byte[] key = null, authKey = null;
                    if ("random".equals(g.keys())) {
                        key = new byte[16];
                        authKey = new byte[16];
                        random.nextBytes(key);
                        random.nextBytes(authKey);
                    }
                    var meter = new io.meterlink.sim.electricity.VirtualP1Meter("SIM" + (first + 1),
                            P1_LAYOUTS.get(line % P1_LAYOUTS.size()), key, authKey, g.damageEvery(), random.nextLong());
                    electricityLedgers.add(meter::ledger);
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.push(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 115200, io.meterlink.drivers.transport.SerialTransport.Parity.NONE),
                            List.of(meter), g.interval(), line % 2 == 1, clock);
                    config.push(name, "p1", pty.gatewayEnd(), 115200, g.interval(),
                            key == null ? null : HexFormat.of().withUpperCase().formatHex(key), authKey == null ? null : HexFormat.of().withUpperCase().formatHex(authKey));
                }
                case SML -> {
                    var meter = new io.meterlink.sim.electricity.VirtualSmlMeter(first + 1, g.damageEvery(), line % 2 == 1, random.nextLong());
                    electricityLedgers.add(meter::ledger);
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.push(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 9600, io.meterlink.drivers.transport.SerialTransport.Parity.NONE),
                            List.of(meter), g.interval(), false, clock);
                    config.push(name, "sml", pty.gatewayEnd(), 9600, g.interval(), null, null);
                }
                default -> {
                    List<io.meterlink.sim.electricity.VirtualIecMeter> meters = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        var m = new io.meterlink.sim.electricity.VirtualIecMeter(Integer.toString(first + i),
                                IEC_MODES.get((i - 1) % IEC_MODES.size()), g.damageEvery(), random.nextLong());
                        if (g.damageEvery() > 0) { // mode E sessions (32-byte segments, 8-byte blocks) spoilt in turn by every HDLC fault
                            m.withDlms(new io.meterlink.sim.electricity.DlmsMeterSession.Options(32, 8, g.damageEvery(),
                                    List.of(io.meterlink.sim.electricity.DlmsMeterSession.Damage.values()), null));
                        }
                        meters.add(m);
                        electricityLedgers.add(m::ledger);
                    }
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.iec(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 300, 7, io.meterlink.drivers.transport.SerialTransport.Parity.EVEN),
                            meters, true, clock);
                    config.iec62056(name, pty.gatewayEnd(), g.interval(), meters.stream().map(io.meterlink.sim.electricity.VirtualIecMeter::address).toList());
                }
            }
            electricityLines.add(endpoint);
            lines.add(endpoint);
        }
        log("%d %s meter(s), every %ds%s%s", g.count(), g.protocol().key(), g.interval().toSeconds(),
                "random".equals(g.keys()) ? ", encrypted" : "", g.damageEvery() > 0 ? ", every " + g.damageEvery() + ". frame damaged" : "");
    }

    /**
     * Modbus slaves of one group, {@code perLine} per line: RTU on a socat pty pair (9600 8E1, both ends
     * through jSerialComm) or a Modbus TCP server; the meters serve the shipped profiles in turn, with
     * a fault every {@code damageEvery}-th request (RTU: all kinds; TCP: all but CRC).
     */
    private void startModbus(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) throws IOException, InterruptedException {
        List<String> profiles = io.meterlink.drivers.modbus.ProfileCatalog.shippedNames();
        var catalog = io.meterlink.drivers.modbus.ProfileCatalog.shipped();
        boolean rtu = g.protocol() == ScenarioSpec.Protocol.MODBUS_RTU;
        List<io.meterlink.sim.modbus.VirtualModbusMeter.Fault> faults = new ArrayList<>(List.of(io.meterlink.sim.modbus.VirtualModbusMeter.Fault.values()));
        if (!rtu) faults.remove(io.meterlink.sim.modbus.VirtualModbusMeter.Fault.CRC);
        int remaining = g.count();
        int made = 0;
        for (int line = 0; remaining > 0; line++) {
            int n = Math.min(g.perLine(), remaining);
            remaining -= n;
            String name = g.protocol().key() + "-" + groupIndex + "-" + line;
            List<io.meterlink.sim.modbus.VirtualModbusMeter> meters = new ArrayList<>();
            List<String[]> entries = new ArrayList<>();
            for (int u = 1; u <= n; u++, made++) {
                String profile = profiles.get(made % profiles.size());
                String id = name + "." + u;
                var m = new io.meterlink.sim.modbus.VirtualModbusMeter(u, catalog.find(profile), id, clock, g.damageEvery(), faults);
                meters.add(m);
                modbusMeters.add(m);
                electricityLedgers.add(m::ledger);
                entries.add(new String[]{Integer.toString(u), profile, id});
            }
            if (rtu) {
                SocatPty pty = SocatPty.start(dir, name);
                lines.add(pty::close);
                var slaves = new io.meterlink.sim.modbus.ModbusRtuSlaves(new io.meterlink.drivers.transport.SerialTransport(
                        pty.meterEnd().toString(), 9600, io.meterlink.drivers.transport.SerialTransport.Parity.EVEN), 9600, meters);
                lines.add(slaves::close);
                config.modbus(name, pty.gatewayEnd(), 0, g.interval(), entries);
            } else {
                var server = new io.meterlink.sim.modbus.ModbusTcpSlaves(0, meters);
                lines.add(server::close);
                config.modbus(name, null, server.port(), g.interval(), entries);
            }
        }
        log("%d %s meter(s), %d per line, every %ds%s", g.count(), g.protocol().key(), g.perLine(), g.interval().toSeconds(),
                g.damageEvery() > 0 ? ", a fault every " + g.damageEvery() + ". request" : "");
    }

    private Timeline timeline(ScenarioBroker broker, UplinkPath path, Path configFile, StatusWatcher status) {
        Timeline t = new Timeline();
        for (Fault f : spec.faults()) {
            Duration end = f.at().plus(f.length());
            if (f instanceof Fault.BrokerOutage o) {
                Instant[] from = new Instant[1];
                t.at(o.at(), "broker " + (o.kill() ? "killed" : "stopped") + " for " + o.length().toSeconds() + "s", () -> {
                    from[0] = clock.instant();
                    broker.stop(o.kill());
                });
                t.at(end, "broker started again", () -> {
                    broker.start();
                    windows.add(new Accounting.Window(from[0], clock.instant()));
                });
            } else if (f instanceof Fault.GatewayKill k) {
                t.at(k.at(), "SIGKILL of the gateway", () -> {
                    GatewayProcess g = current();
                    peakRssKib = Math.max(peakRssKib, g.peakRssKib());
                    g.kill();
                    kills.add(clock.instant());
                    openKillWindow = clock.instant();
                    traced.addAll(seqs(g.acceptedRanges()));
                });
                t.at(k.at().plus(spec.gateway().restartAfter()), "gateway restarted on the same buffer", () -> {
                    for (SerialLine line : serialLines) line.recreate();
                    startGateway(configFile, status);
                });
            } else if (f instanceof Fault.SerialGarbage s) {
                VirtualMbusBus bus = serialLines.get(s.line()).bus();
                t.at(s.at(), "garbage on serial line " + s.line() + " for " + s.length().toSeconds() + "s", () -> { });
                for (Duration d = s.at(); d.compareTo(end) < 0; d = d.plus(s.every())) {
                    t.at(d, null, () -> {
                        byte[] junk = new byte[s.bytes()];
                        random.nextBytes(junk);
                        bus.injectNoiseBeforeNextAnswer(junk);
                    });
                }
            } else if (f instanceof Fault.ProxyCut c) {
                proxy(t, c, "link cut", path::cut, path);
            } else if (f instanceof Fault.ProxyBlackHole b) {
                proxy(t, b, "link black-holed", path::blackHole, path);
            } else if (f instanceof Fault.ProxyLatency l) {
                proxy(t, l, "latency " + l.latency().toMillis() + "ms added", () -> path.latency(l.latency()), path);
            } else if (f instanceof Fault.ProxyBandwidth bw) {
                proxy(t, bw, "bandwidth capped at " + bw.bytesPerSecond() + " B/s", () -> path.bandwidth(bw.bytesPerSecond()), path);
            } else if (f instanceof Fault.RadioStall rs) {
                t.at(rs.at(), "rtl_tcp streams stalled for " + rs.length().toSeconds() + "s",
                        () -> ertServers.forEach(s -> s.stall(rs.length().toMillis())));
            } else if (f instanceof Fault.RadioBadFrames rb) {
                radioBadFrames(t, rb);
            } else if (f instanceof Fault.DiskFull df) {
                t.at(df.at(), "state file system filled for " + df.length().toSeconds() + "s", () ->
                        log("filler of %d KiB written; %d bytes free", stateFs.fill() / 1024, stateFs.usable()));
                t.at(end, "state file system freed", stateFs::free);
            } else if (f instanceof Fault.MbusLate late) {
                mbusLate(t, late);
            } else if (f instanceof Fault.CoapRestart cr) {
                t.at(cr.at(), "coap meter " + cr.meter() + " restarts (forgets its observers)", () -> coapMeters.get(cr.meter()).restart());
            } else if (f instanceof Fault.HostileHeadend) {
                t.at(f.at(), "hostile head-end starts its attacks", () -> startAttacks(broker));
            } else if (f instanceof Fault.FleetOps) {
                t.at(f.at(), "fleet head-end starts its operations", () -> startFleet(broker));
            } else if (f instanceof Fault.ProxyFlap fl) {
                proxy(t, fl, "link flapping",
                    () -> path.flap(fl.upMin(), fl.upMax(), fl.downMin(), fl.downMax(), random.nextLong()), path);
            }
        }
        return t;
    }

    /** A CRC error and a truncated frame, each from the next meter of the dongle in turn, every {@code every}. */
    private void radioBadFrames(Timeline t, Fault.RadioBadFrames rb) {
        WmbusBroadcaster air = radios.get(rb.radio());
        List<VirtualWmbusMeter> meters = air.meters();
        t.at(rb.at(), "CRC errors and truncated frames on radio " + rb.radio() + " every " + rb.every().toMillis() + "ms for "
                + rb.length().toSeconds() + "s", () -> { });
        int k = 0;
        for (Duration d = rb.at(); d.compareTo(rb.at().plus(rb.length())) < 0; d = d.plus(rb.every())) {
            VirtualWmbusMeter m = meters.get(k++ % meters.size());
            t.at(d, null, () -> {
                air.inject(WmbusBroadcaster.Fault.CRC_ERROR, m);
                air.inject(WmbusBroadcaster.Fault.TRUNCATED, m);
            });
        }
    }

    /**
     * Meters answering late. At or beyond the gateway's timeout the gateway may give up on an answer
     * (and take it for its repetition instead): their never-delivered readings of the window are excused.
     */
    private void mbusLate(Timeline t, Fault.MbusLate late) {
        VirtualMbusBus bus = buses.get(late.line());
        LineNoise noise = lateLines.computeIfAbsent(late.line(), i -> new LineNoise(0, 0, 0, 1, spec.seed()).install(bus));
        List<VirtualMbusSlave> slaves = bus.slaves().subList(0, late.meters());
        Instant[] from = new Instant[1];
        t.at(late.at(), late.meters() + " meter(s) of wired line " + late.line() + " answer " + late.delay().toMillis() + "ms late for "
                + late.length().toSeconds() + "s (gateway timeout " + GatewayConfigText.MBUS_TIMEOUT.toMillis() + "ms)", () -> {
            from[0] = clock.instant();
            slaves.forEach(s -> noise.answerLate(s.address(), late.delay()));
        });
        t.at(late.at().plus(late.length()), "wired line " + late.line() + " answers on time again", () -> {
            slaves.forEach(s -> noise.answerLate(s.address(), Duration.ZERO));
            Instant to = clock.instant().plus(late.delay());
            windows.add(new Accounting.Window(from[0], to));
            if (late.delay().compareTo(GatewayConfigText.MBUS_TIMEOUT) >= 0) {
                for (VirtualMbusSlave s : slaves) {
                    excuses.add(new Accounting.Excuse(Accounting.Reason.ANSWERED_LATE, s.meterId().toString(), new Accounting.Window(from[0], to)));
                }
            }
        });
    }

    /** Snapshots the buffer's rows for the {@link EvictionAudit}, at most once a second, when the scenario caps the buffer. */
    private void audit(Path db, HeadEnd headEnd) {
        if (spec.gateway().bufferMaxBytes() <= 0 || clock.instant().isBefore(nextAudit)) return;
        nextAudit = clock.instant().plusSeconds(1);
        EvictionAudit.Rows rows = EvictionAudit.read(db);
        if (rows != null) audit.snapshot(rows.seqs(), rows.priorities(), seq -> headEnd.hasSeen(new GatewaySeq(GATEWAY_ID, seq)));
    }

    /** Evicted readings (accepted, never delivered) that the eviction policy did not name; 0 without a buffer cap. */
    private long auditEvictions(HeadEnd headEnd, List<Verdict.Generated> generated) {
        if (spec.gateway().bufferMaxBytes() <= 0) return 0;
        Set<Long> evicted = new HashSet<>();
        for (long seq : traced) if (!headEnd.hasSeen(new GatewaySeq(GATEWAY_ID, seq))) evicted.add(seq);
        Priority lowest = generated.stream().map(g -> Priority.of(g.reading())).min(Comparator.naturalOrder()).orElse(Priority.DIAGNOSTIC);
        List<Long> wrong = audit.violations(evicted, lowest);
        log("eviction audit: %d buffer snapshots, %d accepted readings never delivered, %d not named by the policy%s", audit.snapshots(),
                evicted.size(), wrong.size(), wrong.isEmpty() ? "" : " (seqs " + wrong.subList(0, Math.min(10, wrong.size())) + ")");
        return wrong.size();
    }

    private void logFaultsSent() {
        for (int i = 0; i < radios.size(); i++) {
            List<WmbusBroadcaster.SentFault> sent = radios.get(i).faultsSent();
            if (!sent.isEmpty()) log("radio %d: %d bad frame(s) sent", i, sent.size());
        }
        lateLines.forEach((line, noise) -> log("wired line %d: %d late answer(s)", line, noise.stats().late()));
    }

    private void proxy(Timeline t, Fault f, String what, Action start, UplinkPath path) {
        Instant[] from = new Instant[1];
        t.at(f.at(), what + " for " + f.length().toSeconds() + "s", () -> {
            from[0] = clock.instant();
            start.run();
        });
        t.at(f.at().plus(f.length()), "link restored", () -> {
            path.restore();
            windows.add(new Accounting.Window(from[0], clock.instant()));
        });
    }

    private void startGateway(Path configFile, StatusWatcher status) throws IOException {
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

    private Fault.HostileHeadend hostileFault() {
        return spec.faults().stream().filter(Fault.HostileHeadend.class::isInstance).map(Fault.HostileHeadend.class::cast)
                .findFirst().orElse(null);
    }

    /**
     * A gateway the head-end can send bundles to: an identity in the state directory with a certificate
     * from the scenario's CA, the utility's bundle-signing key pinned; returns the uplink YAML using them.
     */
    private String prepareHostile(Fault.HostileHeadend h, Path stateDir, TestPki pki, String gatewayUrl) throws Exception {
        java.security.KeyPair utility = identity(stateDir, pki);
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        hostileTarget = new HostileHeadEnd.Target(GATEWAY_ID, ScenarioBroker.PREFIX, gatewayUrl, pki.ca().certificate(),
                TestPki.create(dir.resolve("pki-other"), "Other Utility CA").ca().certificate(), "ssl://localhost:" + closed,
                stateDir, utility, SignedBundle.generate(), h.trialBound(), h.oversizedMib() * 1024 * 1024);
        log("hostile head-end: gateway identity and certificate in %s, bundle-signing key %s pinned; trial bound %ds",
                stateDir, SignedBundle.keyId(utility.getPublic()), h.trialBound().toSeconds());
        return identityYaml(stateDir, pki, utility);
    }

    /** The uplink YAML of a gateway with the identity of {@link #identity}. */
    private static String identityYaml(Path stateDir, TestPki pki, java.security.KeyPair ignoredUtilityKey) {
        StateDir sd = new StateDir(stateDir);
        return "  tls:\n"
                + "    ca_file: " + GatewayConfigText.quote(pki.caFile()) + "\n"
                + "    cert_file: " + GatewayConfigText.quote(sd.certificateFile()) + "\n"
                + "    key_file: " + GatewayConfigText.quote(sd.privateKeyFile()) + "\n";
    }

    /** The utility key pinned for this run (set by {@link #identity}). */
    private java.security.KeyPair utilityKey;

    /**
     * A gateway the head-end can send signed commands to: an identity in the state directory with a
     * certificate from the scenario's CA, and a new utility bundle-signing key pinned (returned).
     */
    private java.security.KeyPair identity(Path stateDir, TestPki pki) throws Exception {
        StateDir sd = new StateDir(stateDir);
        IdentityStore ids = new IdentityStore(sd, new java.security.SecureRandom());
        ids.init(GATEWAY_ID, false);
        Instant now = clock.instant();
        java.security.cert.X509Certificate cert = new UtilityCa(pki).sign(ids.load().csrPem(), GATEWAY_ID,
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
        SecureFiles.privateDirectory(sd.tlsDir());
        SecureFiles.replace(sd.certificateFile(), Pem.encode("CERTIFICATE", cert.getEncoded()).getBytes(java.nio.charset.StandardCharsets.US_ASCII), false);
        utilityKey = SignedBundle.generate();
        new SigningKeyPin(sd).pin(utilityKey.getPublic());
        return utilityKey;
    }

    private Fault.FleetOps fleetFault() {
        return spec.faults().stream().filter(Fault.FleetOps.class::isInstance).map(Fault.FleetOps.class::cast).findFirst().orElse(null);
    }

    /**
     * Fleet mode: the meters go into a bundle applied at the shell (so bundles sent later take effect live),
     * the runner's jar becomes release 1.0 under {@code <state>/releases} with {@code current} on it (as the
     * package's postinst does), and the two update packages are made. Returns the configuration to run.
     */
    private Path prepareFleet(Path stateDir, TestPki pki, String gatewayUrl, GatewayConfigText config) throws Exception {
        StateDir sd = new StateDir(stateDir);
        String sources = config.sourcesYaml();
        String v1 = "bundle_version: 1\ngateway_id: " + GATEWAY_ID + "\ntopic_prefix: " + ScenarioBroker.PREFIX + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", pki.ca().certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + gatewayUrl + "\n  backoff_min: 100ms\n  backoff_max: 2s\n  status_interval: 2s\n"
                + "buffer:\n  path: " + GatewayConfigText.quote(stateDir.resolve("buffer.db")) + "\n"
                + "sources:\n" + sources;
        java.util.regex.Matcher first = java.util.regex.Pattern.compile("(?m)^  - name: (\\S+)$").matcher(sources);
        if (!first.find()) throw new ScenarioException("fleet_ops needs at least one meter group");
        String from = first.group(1);
        String to = from + "-v2";
        String v2 = v1.replace("bundle_version: 1\n", "bundle_version: 2\n").replace("  - name: " + from + "\n", "  - name: " + to + "\n");
        new io.meterlink.provisioning.bundle.BundleService(sd, new IdentityStore(sd, new java.security.SecureRandom()),
                io.meterlink.core.config.DriverRegistry.fromServiceLoader(), clock)
                .apply("scenario bundle", v1.getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        releases = stateDir.resolve("releases");
        Files.createDirectories(releases.resolve("1.0"));
        Files.copy(jar, releases.resolve("1.0").resolve("meterlink.jar"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("1.0"));
        launcher = GatewayProcess.findJar(List.of(Path.of("distribution/src/main/packaging/meterlink"),
                Path.of("../distribution/src/main/packaging/meterlink")));
        Path good = io.meterlink.sim.headend.UpdatePackages.variant(jar, dir.resolve("update-2.0.jar"), "2.0");
        Path bad = io.meterlink.sim.headend.UpdatePackages.broken(dir.resolve("update-4.0.jar"));
        fleetTarget = new io.meterlink.sim.headend.FleetHeadEnd.Target(GATEWAY_ID, ScenarioBroker.PREFIX, utilityKey, v2, from, to,
                good, "2.0", bad, "4.0");
        log("fleet: meters in a bundle applied at the shell (%s), release 1.0 current under %s, launcher %s", sd.configFile(), releases, launcher);
        return sd.configFile();
    }

    /** Starts the fleet operations on their own thread (the metering loop goes on meanwhile). */
    private void startFleet(ScenarioBroker broker) {
        fleetSteps = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (io.meterlink.sim.headend.FleetHeadEnd he = new io.meterlink.sim.headend.FleetHeadEnd(broker.url(), fleetTarget,
                    broker.headEndTls(), m -> log("%s", m))) {
                fleetSteps.complete(he.run());
            } catch (Exception | OutOfMemoryError e) {
                fleetSteps.completeExceptionally(e);
            }
        }, "fleet-head-end");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the attacks on their own thread (the metering loop goes on meanwhile). */
    private void startAttacks(ScenarioBroker broker) {
        attacks = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (HostileHeadEnd he = new HostileHeadEnd(hostileTarget, broker.headEndTls(), m -> log("%s", m))) {
                attacks.complete(he.run());
            } catch (Exception | OutOfMemoryError e) {
                attacks.completeExceptionally(e);
            }
        }, "hostile-head-end");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for the attacks to end; each outcome goes to the JSON line, each unexpected one is a failure. */
    private void judgeAttacks(java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> steps, String fault,
                              List<Map<String, Object>> results, List<String> failures) throws InterruptedException {
        try {
            for (HostileHeadEnd.Attack a : steps.get(5, java.util.concurrent.TimeUnit.MINUTES)) {
                results.add(a.toMap());
                if (!a.asExpected()) failures.add(fault + ": " + a.name() + ": " + a.outcome() + ", expected " + a.expected());
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            failures.add(fault + ": the steps did not complete: " + e);
        }
    }

    private GatewayProcess current() {
        return runs.get(runs.size() - 1);
    }

    /** Fails when the gateway died without being killed; closes a kill's fault window once the new run accepts. */
    private void checkGateway() throws ScenarioException {
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

    private long sample(Path db) {
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

    private long undelivered(HeadEnd headEnd) {
        Set<Long> all = new HashSet<>(traced);
        all.addAll(seqs(current().acceptedRanges()));
        Set<GatewaySeq> seen = headEnd.seenSeqs();
        return all.stream().filter(s -> !seen.contains(new GatewaySeq(GATEWAY_ID, s))).count();
    }

    private static long evictions(Path db) {
        try {
            BufferStats s = SqliteBuffer.inspect(db);
            return s.evictions().values().stream().mapToLong(Long::longValue).sum();
        } catch (BufferException e) {
            return -1;
        }
    }

    private List<Verdict.Generated> generated() {
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

    private long generatedCount() {
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
    private List<Verdict.Generated> ertGenerated() {
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

    private void progress(Instant t0, String phase, HeadEnd headEnd, StatusWatcher status) {
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

    private void closeLines() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            try {
                lines.get(i).close();
            } catch (Exception e) {
                log("closing a meter line: %s", e);
            }
        }
    }

    private void log(String format, Object... args) {
        progress.printf("scenario %s: %s%n", spec.name(), String.format(Locale.ROOT, format, args));
    }

    /** An orchestration step (may block briefly, may fail). */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Fault steps at offsets from the start, run in order by the orchestration thread. */
    private final class Timeline {
        private record Step(Duration at, String label, Action action, int order) {
        }

        private final List<Step> steps = new ArrayList<>();
        private int next;

        void at(Duration at, String label, Action action) {
            steps.add(new Step(at, label, action, steps.size()));
            steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order));
        }

        void runDue(Duration elapsed) throws Exception {
            while (next < steps.size() && steps.get(next).at().compareTo(elapsed) <= 0) {
                Step s = steps.get(next++);
                if (s.label() != null) log("[%4ds] %s", s.at().toSeconds(), s.label());
                s.action().run();
            }
        }
    }
}
