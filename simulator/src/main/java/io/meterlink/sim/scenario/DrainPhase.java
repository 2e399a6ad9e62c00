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
 * The drain phase of a {@link ScenarioRunner} run: the meters stop, the gateway delivers what it holds
 * (done once the buffer is empty, every accepted reading arrived or was evicted and nothing was accepted
 * for {@link #QUIET}), the pulse totals are read, then the gateway stops.
 */
final class DrainPhase {
    /** The drain ends once nothing new was accepted for this long (and everything accepted arrived). */
    private static final Duration QUIET = Duration.ofSeconds(5);

    private final ScenarioRig rig;

    DrainPhase(ScenarioRig rig) {
        this.rig = rig;
    }

    /** Drain: the meters stop, the gateway delivers what it holds, then stops; the readings evicted from the buffer. */
    long run(Path db, HeadEnd headEnd, StatusWatcher status, Instant t0) throws Exception {
        stopMeters();
        rig.log("meters stopped after %ds; draining (up to %ds)", rig.spec.duration().toSeconds(), rig.spec.drainTimeout().toSeconds());
        Thread.sleep(2_000);
        Instant drainEnd = rig.clock.instant().plus(rig.spec.drainTimeout());
        Instant nextProgress = rig.clock.instant().plus(ScenarioRig.PROGRESS_EVERY);
        long lastAccepted = -1;
        Instant quietSince = rig.clock.instant();
        while (rig.clock.instant().isBefore(drainEnd)) {
            rig.checkGateway();
            long depth = rig.sample(db);
            rig.audit(db, headEnd);
            long acceptedNow = rig.current().acceptedCount();
            if (acceptedNow != lastAccepted) {
                lastAccepted = acceptedNow;
                quietSince = rig.clock.instant();
            }
            // done when the buffer is empty, every accepted seq arrived or was evicted, and nothing was accepted for a while
            // (the last telegrams may still be on their way through a driver)
            // evicted readings (buffer cap) were accepted and will never arrive: the documented bound
            if (depth == 0 && rig.undelivered(headEnd) <= Math.max(0, ScenarioRig.evictions(db))
                    && Duration.between(quietSince, rig.clock.instant()).compareTo(QUIET) >= 0) break;
            if (!rig.clock.instant().isBefore(nextProgress)) {
                rig.progress(t0, "draining", headEnd, status);
                nextProgress = rig.clock.instant().plus(ScenarioRig.PROGRESS_EVERY);
            }
            Thread.sleep(250);
        }
        rig.pulses = pulseTotals(headEnd, rig.spec.meters().stream()
                .filter(g -> g.protocol() == ScenarioSpec.Protocol.PULSE).map(ScenarioSpec.MeterGroup::interval)
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO), rig.pulseFailures);
        Thread.sleep(1_000); // late duplicates and the last status message
        rig.progress(t0, "done", headEnd, status);
        rig.log("uplink.payload %s, %s", rig.spec.gateway().payload(), headEnd.wireSummary());
        rig.log("bad input counted by the last gateway run, by kind: %s", status.lastBadInput());
        GatewayProcess last = rig.current();
        rig.peakRssKib = Math.max(rig.peakRssKib, last.peakRssKib());
        int exit = last.stop(Duration.ofSeconds(60));
        rig.traced.addAll(ScenarioRig.seqs(last.acceptedRanges()));
        if (exit != 0) rig.log("the gateway exited with %d after SIGTERM\n%s", exit, last.logTail(20));
        return ScenarioRig.evictions(db);
    }

    /** Stops every virtual meter: a silent slave generates nothing more; the drain then lets the last answers commit. */
    private void stopMeters() {
        rig.buses.forEach(b -> b.slaves().forEach(s -> s.setSilent(true)));
        rig.radios.forEach(WmbusBroadcaster::close);
        rig.ertServers.forEach(RtlTcpServer::silence);
        rig.electricityLines.forEach(io.meterlink.sim.electricity.ElectricityLineEndpoint::close);
        rig.modbusMeters.forEach(io.meterlink.sim.modbus.VirtualModbusMeter::silence);
        rig.pulseGenerators.forEach(io.meterlink.sim.pulse.PulseGenerator::stop);
        rig.coapMeters.forEach(io.meterlink.sim.coap.VirtualCoapMeter::silence);
    }

    /**
     * After metering: each pulse output's generated pulses against the gateway's acknowledged count
     * and the last energy register that reached the head-end (1000 pulses per kWh: 1 Wh each). A
     * total that is not exact is a failure.
     */
    private List<Map<String, Object>> pulseTotals(HeadEnd headEnd, Duration readout, List<String> failures) throws InterruptedException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < rig.pulseGenerators.size(); i++) {
            io.meterlink.sim.pulse.PulseGenerator gen = rig.pulseGenerators.get(i);
            String meter = rig.pulseMeterIds.get(i);
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
            rig.log("pulse meter %s: %d pulses generated, %d acknowledged, %d in flight at a kill (sent again), last register delivered %s Wh",
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
}
