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
 * The metering phase of a {@link ScenarioRunner} run: the gateway starts and runs for the scenario's
 * duration while the fault timeline plays (broker outages, kills, line and radio faults, the head-ends'
 * operations on their own threads); the buffer is sampled once a second.
 */
final class MeteringPhase {
    private final ScenarioRig rig;

    MeteringPhase(ScenarioRig rig) {
        this.rig = rig;
    }

    /** Metering: the gateway starts and runs for the scenario's duration while the fault timeline plays. */
    Timeline run(SetupPhase.Result setup, ScenarioBroker broker, UplinkPath path, HeadEnd headEnd, StatusWatcher status, Instant t0)
            throws Exception {
        Path configFile = setup.configFile();
        Path db = setup.db();
        if (rig.backlog != null) rig.backlog.launched(t0);
        rig.statusWatcher = status;
        rig.startGateway(configFile, status);
        rig.radios.forEach(WmbusBroadcaster::start);
        Timeline timeline = timeline(broker, path, configFile, status);
        Instant end = t0.plus(rig.spec.duration());
        Instant nextProgress = t0.plus(ScenarioRig.PROGRESS_EVERY);
        Instant nextSample = t0;
        while (rig.clock.instant().isBefore(end)) {
            timeline.runDue(Duration.between(t0, rig.clock.instant()));
            rig.checkGateway();
            Instant now = rig.clock.instant();
            if (!now.isBefore(nextSample)) {
                rig.sample(db);
                rig.audit(db, headEnd);
                nextSample = now.plusSeconds(1);
            }
            if (!now.isBefore(nextProgress)) {
                rig.progress(t0, "metering", headEnd, status);
                nextProgress = now.plus(ScenarioRig.PROGRESS_EVERY);
            }
            Thread.sleep(ScenarioRig.TICK.toMillis());
        }
        return timeline;
    }

    private Timeline timeline(ScenarioBroker broker, UplinkPath path, Path configFile, StatusWatcher status) {
        Timeline t = new Timeline();
        for (Fault f : rig.spec.faults()) {
            Duration end = f.at().plus(f.length());
            if (f instanceof Fault.BrokerOutage o) {
                Instant[] from = new Instant[1];
                t.at(o.at(), "broker " + (o.kill() ? "killed" : "stopped") + " for " + o.length().toSeconds() + "s", () -> {
                    from[0] = rig.clock.instant();
                    broker.stop(o.kill());
                });
                t.at(end, "broker started again", () -> {
                    broker.start();
                    rig.windows.add(new Accounting.Window(from[0], rig.clock.instant()));
                });
            } else if (f instanceof Fault.GatewayKill k) {
                t.at(k.at(), "SIGKILL of the gateway", () -> {
                    GatewayProcess g = rig.current();
                    rig.peakRssKib = Math.max(rig.peakRssKib, g.peakRssKib());
                    g.kill();
                    rig.kills.add(rig.clock.instant());
                    rig.openKillWindow = rig.clock.instant();
                    rig.traced.addAll(ScenarioRig.seqs(g.acceptedRanges()));
                });
                t.at(k.at().plus(rig.spec.gateway().restartAfter()), "gateway restarted on the same buffer", () -> {
                    for (SerialLine line : rig.serialLines) line.recreate();
                    rig.startGateway(configFile, status);
                });
            } else if (f instanceof Fault.SerialGarbage s) {
                VirtualMbusBus bus = rig.serialLines.get(s.line()).bus();
                t.at(s.at(), "garbage on serial line " + s.line() + " for " + s.length().toSeconds() + "s", () -> { });
                for (Duration d = s.at(); d.compareTo(end) < 0; d = d.plus(s.every())) {
                    t.at(d, null, () -> {
                        byte[] junk = new byte[s.bytes()];
                        rig.random.nextBytes(junk);
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
                        () -> rig.ertServers.forEach(s -> s.stall(rs.length().toMillis())));
            } else if (f instanceof Fault.RadioBadFrames rb) {
                radioBadFrames(t, rb);
            } else if (f instanceof Fault.DiskFull df) {
                t.at(df.at(), "state file system filled for " + df.length().toSeconds() + "s", () ->
                        rig.log("filler of %d KiB written; %d bytes free", rig.stateFs.fill() / 1024, rig.stateFs.usable()));
                t.at(end, "state file system freed", rig.stateFs::free);
            } else if (f instanceof Fault.MbusLate late) {
                mbusLate(t, late);
            } else if (f instanceof Fault.CoapRestart cr) {
                t.at(cr.at(), "coap meter " + cr.meter() + " restarts (forgets its observers)", () -> rig.coapMeters.get(cr.meter()).restart());
            } else if (f instanceof Fault.HostileHeadend) {
                t.at(f.at(), "hostile head-end starts its attacks", () -> startAttacks(broker));
            } else if (f instanceof Fault.FleetOps) {
                t.at(f.at(), "fleet head-end starts its operations", () -> startFleet(broker));
            } else if (f instanceof Fault.ProxyFlap fl) {
                proxy(t, fl, "link flapping",
                    () -> path.flap(fl.upMin(), fl.upMax(), fl.downMin(), fl.downMax(), rig.random.nextLong()), path);
            }
        }
        return t;
    }

    /** A CRC error and a truncated frame, each from the next meter of the dongle in turn, every {@code every}. */
    private void radioBadFrames(Timeline t, Fault.RadioBadFrames rb) {
        WmbusBroadcaster air = rig.radios.get(rb.radio());
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
        VirtualMbusBus bus = rig.buses.get(late.line());
        LineNoise noise = rig.lateLines.computeIfAbsent(late.line(), i -> new LineNoise(0, 0, 0, 1, rig.spec.seed()).install(bus));
        List<VirtualMbusSlave> slaves = bus.slaves().subList(0, late.meters());
        Instant[] from = new Instant[1];
        t.at(late.at(), late.meters() + " meter(s) of wired line " + late.line() + " answer " + late.delay().toMillis() + "ms late for "
                + late.length().toSeconds() + "s (gateway timeout " + GatewayConfigText.MBUS_TIMEOUT.toMillis() + "ms)", () -> {
            from[0] = rig.clock.instant();
            slaves.forEach(s -> noise.answerLate(s.address(), late.delay()));
        });
        t.at(late.at().plus(late.length()), "wired line " + late.line() + " answers on time again", () -> {
            slaves.forEach(s -> noise.answerLate(s.address(), Duration.ZERO));
            Instant to = rig.clock.instant().plus(late.delay());
            rig.windows.add(new Accounting.Window(from[0], to));
            if (late.delay().compareTo(GatewayConfigText.MBUS_TIMEOUT) >= 0) {
                for (VirtualMbusSlave s : slaves) {
                    rig.excuses.add(new Accounting.Excuse(Accounting.Reason.ANSWERED_LATE, s.meterId().toString(), new Accounting.Window(from[0], to)));
                }
            }
        });
    }

    private void proxy(Timeline t, Fault f, String what, Action start, UplinkPath path) {
        Instant[] from = new Instant[1];
        t.at(f.at(), what + " for " + f.length().toSeconds() + "s", () -> {
            from[0] = rig.clock.instant();
            start.run();
        });
        t.at(f.at().plus(f.length()), "link restored", () -> {
            path.restore();
            rig.windows.add(new Accounting.Window(from[0], rig.clock.instant()));
        });
    }

    /** Starts the fleet operations on their own thread (the metering loop goes on meanwhile). */
    private void startFleet(ScenarioBroker broker) {
        rig.fleetSteps = onOwnThread("fleet-head-end", done -> {
            try (io.meterlink.sim.headend.FleetHeadEnd he = new io.meterlink.sim.headend.FleetHeadEnd(broker.url(), rig.fleetTarget,
                    broker.headEndTls(), m -> rig.log("%s", m))) {
                done.complete(he.run());
            }
        });
    }

    /** Starts the attacks on their own thread (the metering loop goes on meanwhile). */
    private void startAttacks(ScenarioBroker broker) {
        rig.attacks = onOwnThread("hostile-head-end", done -> {
            try (HostileHeadEnd he = new HostileHeadEnd(rig.hostileTarget, broker.headEndTls(), m -> rig.log("%s", m))) {
                done.complete(he.run());
            }
        });
    }

    /** A head-end's steps, completing {@code done} with their outcomes. */
    @FunctionalInterface
    private interface HeadEndSteps {
        void run(java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> done) throws Exception;
    }

    /** Runs {@code steps} on a daemon thread of that name; what they throw completes the future exceptionally. */
    private static java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> onOwnThread(String name, HeadEndSteps steps) {
        java.util.concurrent.CompletableFuture<List<HostileHeadEnd.Attack>> done = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                steps.run(done);
            } catch (Exception | OutOfMemoryError e) {
                done.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** An orchestration step (may block briefly, may fail). */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Fault steps at offsets from the start, run in order by the orchestration thread. */
    final class Timeline {
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
                if (s.label() != null) rig.log("[%4ds] %s", s.at().toSeconds(), s.label());
                s.action().run();
            }
        }
    }
}
