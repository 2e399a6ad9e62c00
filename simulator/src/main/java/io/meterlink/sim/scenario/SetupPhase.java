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
import io.meterlink.sim.serial.SocatPty;
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
 * The setup phase of a {@link ScenarioRunner} run: the state directory (on its own small file system
 * for {@code disk_full}), the virtual meters of every group, the gateway's configuration (with an
 * identity for a hostile or fleet head-end, a bundle and releases for fleet operations) and the
 * pre-filled backlog.
 */
final class SetupPhase {
    private static final int SERIAL_BAUD = 9600;
    /** The DSMR layouts the P1 lines of a group take in turn. */
    private static final List<String> P1_LAYOUTS = List.of("5", "emucs", "3", "4");
    /** The modes the polled IEC 62056-21 meters of a line take in turn (mode D pushes: not on a polled line). */
    private static final List<io.meterlink.sim.electricity.VirtualIecMeter.Mode> IEC_MODES = List.of(
            io.meterlink.sim.electricity.VirtualIecMeter.Mode.C, io.meterlink.sim.electricity.VirtualIecMeter.Mode.E,
            io.meterlink.sim.electricity.VirtualIecMeter.Mode.B, io.meterlink.sim.electricity.VirtualIecMeter.Mode.A);

    /** What the setup made: the gateway's state directory, the configuration it runs and its buffer. */
    record Result(Path stateDir, Path configFile, Path db) {
    }

    private final ScenarioRig rig;

    SetupPhase(ScenarioRig rig) {
        this.rig = rig;
    }

    /** Setup: the state directory, the virtual meters, the gateway's configuration and the pre-filled backlog. */
    Result run(ScenarioBroker broker, UplinkPath path, TestPki pki) throws Exception {
        Path stateDir = rig.dir.resolve("state");
        Files.createDirectories(stateDir);
        mountStateFileSystem(stateDir);
        GatewayConfigText config = startMeters();
        Path configFile = rig.dir.resolve("meterlink.yaml");
        Files.deleteIfExists(configFile);
        Files.createFile(configFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Fault.HostileHeadend hostile = rig.hostileFault();
        Fault.FleetOps fleet = rig.fleetFault();
        String uplinkYaml = hostile != null ? prepareHostile(hostile, stateDir, pki, path.gatewayUrl())
                : fleet != null ? identityYaml(stateDir, pki, identity(stateDir, pki))
                : broker.gatewayUplinkYaml(GATEWAY_ID);
        Files.writeString(configFile, config.text(GATEWAY_ID, stateDir, rig.spec.gateway(), path.gatewayUrl(), uplinkYaml));
        // fleet mode runs the bundles' configuration in the state directory (so bundles apply live)
        rig.runConfig = fleet == null ? configFile : prepareFleet(stateDir, pki, path.gatewayUrl(), config);
        Path db = stateDir.resolve("buffer.db");
        if (rig.spec.backlog() > 0) fillBacklog(db);
        return new Result(stateDir, rig.runConfig, db);
    }

    void refuseWhatThisBuildCannotDo() throws ScenarioException {
        if (rig.spec.meters().stream().anyMatch(g -> g.protocol() == ScenarioSpec.Protocol.MBUS_SERIAL || g.electricity()
                || g.protocol() == ScenarioSpec.Protocol.MODBUS_RTU) && SocatPty.binary() == null) {
            throw new ScenarioException("mbus_serial, p1, sml, iec62056_21 and modbus_rtu meters need socat (apt-get install socat)");
        }
    }

    /** With a {@code disk_full} fault, the state directory is a small tmpfs of its own (mounting needs root). */
    private void mountStateFileSystem(Path stateDir) throws ScenarioException {
        Fault.DiskFull df = rig.diskFull();
        if (df == null) return;
        try {
            rig.stateFs = SmallFileSystem.mount(stateDir, df.fsSizeBytes());
        } catch (IOException e) {
            throw new ScenarioException("disk_full needs a tmpfs of its own for the gateway's state directory (run as root): "
                    + e.getMessage());
        }
        rig.log("state directory on a tmpfs of %d KiB", df.fsSizeBytes() / 1024);
    }

    /** The backlog goes into the new buffer file before the gateway's first start; its seqs 1..N count as accepted. */
    private void fillBacklog(Path db) throws Exception {
        int meters = rig.spec.meters().stream().mapToInt(ScenarioSpec.MeterGroup::count).sum();
        long from = System.nanoTime();
        rig.backlog = ScenarioBacklog.fill(db, GATEWAY_ID, rig.spec.backlog(), meters, rig.clock.instant());
        rig.backlog.addSeqsTo(rig.traced);
        rig.log("backlog: %d readings of %d meters written into the buffer in %d ms", rig.spec.backlog(), meters,
                (System.nanoTime() - from) / 1_000_000);
    }

    private GatewayConfigText startMeters() throws IOException, InterruptedException {
        GatewayConfigText config = new GatewayConfigText();
        int groupIndex = 0;
        int serialLine = 0;
        for (ScenarioSpec.MeterGroup g : rig.spec.meters()) {
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
                            heat ? VirtualMbusSlave.Kind.HEAT : VirtualMbusSlave.Kind.WATER, rig.clock, ZoneOffset.UTC,
                            100_000L + 7_919L * a, 60 + 40L * (a % 10), 1));
                }
                VirtualMbusBus bus = new VirtualMbusBus(slaves);
                if (g.lineBaud() > 0) bus.setAnswerFilter(lineSpeed(g.lineBaud()));
                rig.buses.add(bus);
                List<Integer> addresses = slaves.stream().map(VirtualMbusSlave::address).toList();
                String name = g.protocol().key() + "-" + groupIndex + "-" + line;
                if (g.protocol() == ScenarioSpec.Protocol.MBUS_TCP) {
                    TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus);
                    rig.lines.add(server);
                    config.mbusTcp(name, server.port(), g.interval(), addresses);
                } else {
                    SerialLine serial = new SerialLine(rig.dir, "serial-" + serialLine++, SERIAL_BAUD, bus);
                    rig.lines.add(serial);
                    rig.serialLines.add(serial);
                    config.mbusSerial(name, serial.gatewayEnd(), SERIAL_BAUD, g.interval(), addresses);
                }
            }
            rig.log("%d %s meter(s), every %ds%s", g.count(), g.protocol().key(), g.interval().toSeconds(),
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
            rig.lines.add(gen);
            rig.pulseGenerators.add(gen);
            rig.pulseMeterIds.add("pulse:s0:" + name + "-" + i);
            ports.add(gen.port());
        }
        config.pulse(name, g.interval(), ports);
        rig.log("%d pulse meter(s) at %.1f pulses/s%s, read out every %ds", g.count(), g.pulseRateHz(),
                g.damageEvery() > 0 ? ", every " + g.damageEvery() + ". pulse bouncing" : "", g.interval().toSeconds());
    }

    /** CoAP meters serving SenML, observed by the gateway; each notifies every {@code interval}. */
    private void startCoap(GatewayConfigText config, ScenarioSpec.MeterGroup g, int groupIndex) {
        List<Map.Entry<String, Integer>> meters = new ArrayList<>();
        for (int i = 0; i < g.count(); i++) {
            String id = g.protocol().key() + "-" + groupIndex + "-" + i;
            // short packs: the virtual meter measures anew for every request, which a blockwise transfer (several
            // requests for one representation) would mix up; blockwise is proven against libcoap (CoapLibcoapIT)
            io.meterlink.sim.coap.VirtualCoapMeter m = new io.meterlink.sim.coap.VirtualCoapMeter(id, rig.clock, g.interval(), 0);
            rig.lines.add(m);
            rig.coapMeters.add(m);
            rig.electricityLedgers.add(m::ledger);
            meters.add(Map.entry(id, m.port()));
        }
        config.coap(g.protocol().key() + "-" + groupIndex, g.interval(), meters);
        rig.log("%d coap meter(s) observed, notifying every %ds", g.count(), g.interval().toSeconds());
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
                protocols, rig.random.nextLong(),
                g.interval().toMillis() / 1000.0, 25, 10_000, 2_359_296, null, true, 0, false, 10));
        rig.lines.add(server);
        rig.ertServers.add(server);
        config.ertTcp(g.protocol().key() + "-" + groupIndex, server.port(), g.interval(), g.ertProtocols());
        rig.log("%d ert meter(s) (%s) on rtl_tcp port %d, every %ds, every 10th packet damaged", g.count(), String.join(", ", g.ertProtocols()),
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
                    rig.random.nextBytes(key);
                    gatewayKey = key;
                    if (line * g.perLine() + i <= g.wrongKeys()) { // the gateway was given another key for this meter
                        gatewayKey = new byte[16];
                        rig.random.nextBytes(gatewayKey);
                    }
                }
                boolean heat = i % 3 == 0;
                meters.add(new VirtualWmbusMeter(id, heat ? "KAM" : "DME", heat ? VirtualWmbusMeter.Kind.HEAT : VirtualWmbusMeter.Kind.WATER,
                        key == null ? WmbusFrameBuilder.Security.NONE : WmbusFrameBuilder.Security.MODE5, key, rig.clock, ZoneOffset.UTC,
                        200_000L + 7_919L * i, 60 + 40L * (i % 10), -60 - i % 40));
                idsAndKeys.add(new String[]{id, gatewayKey == null ? null : HexFormat.of().withUpperCase().formatHex(gatewayKey)});
                if (gatewayKey != key) {
                    rig.excuses.add(new Accounting.Excuse(Accounting.Reason.WRONG_KEY, meters.get(meters.size() - 1).meterId().toString(),
                            new Accounting.Window(Instant.MIN, Instant.MAX)));
                }
            }
            Im871aDongle dongle = new Im871aDongle();
            TcpDongleServer server = new TcpDongleServer(0, dongle);
            WmbusBroadcaster air = new WmbusBroadcaster(meters, dongle, server, g.interval(), rig.random.nextLong(), g.spread());
            rig.lines.add(server);
            rig.lines.add(air); // closed first: no telegram after the dongle is gone
            rig.radios.add(air);
            config.wmbusTcp(g.protocol().key() + "-" + groupIndex + "-" + line, server.port(), dongle.type(), idsAndKeys);
        }
        rig.log("%d wmbus meter(s) (%s), every %ds%s", g.count(), "random".equals(g.keys()) ? "mode 5, own keys" : "in clear",
                g.interval().toSeconds(), g.spread() ? ", spread over the interval" : "");
        if (g.wrongKeys() > 0) rig.log("the gateway has a wrong key for %d of them", g.wrongKeys());
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
            SocatPty pty = SocatPty.start(rig.dir, name);
            rig.lines.add(pty::close);
            int first = 70_000_000 + groupIndex * 1_000_000 + line * 1_000;
            io.meterlink.sim.electricity.ElectricityLineEndpoint endpoint;
            switch (g.protocol()) {
                case P1 -> {
                    byte[] key = null, authKey = null;
                    if ("random".equals(g.keys())) {
                        key = new byte[16];
                        authKey = new byte[16];
                        rig.random.nextBytes(key);
                        rig.random.nextBytes(authKey);
                    }
                    var meter = new io.meterlink.sim.electricity.VirtualP1Meter("SIM" + (first + 1),
                            P1_LAYOUTS.get(line % P1_LAYOUTS.size()), key, authKey, g.damageEvery(), rig.random.nextLong());
                    rig.electricityLedgers.add(meter::ledger);
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.push(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 115200, io.meterlink.drivers.transport.SerialTransport.Parity.NONE),
                            List.of(meter), g.interval(), line % 2 == 1, rig.clock);
                    config.push(name, "p1", pty.gatewayEnd(), 115200, g.interval(),
                            key == null ? null : HexFormat.of().withUpperCase().formatHex(key), authKey == null ? null : HexFormat.of().withUpperCase().formatHex(authKey));
                }
                case SML -> {
                    var meter = new io.meterlink.sim.electricity.VirtualSmlMeter(first + 1, g.damageEvery(), line % 2 == 1, rig.random.nextLong());
                    rig.electricityLedgers.add(meter::ledger);
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.push(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 9600, io.meterlink.drivers.transport.SerialTransport.Parity.NONE),
                            List.of(meter), g.interval(), false, rig.clock);
                    config.push(name, "sml", pty.gatewayEnd(), 9600, g.interval(), null, null);
                }
                default -> {
                    List<io.meterlink.sim.electricity.VirtualIecMeter> meters = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        var m = new io.meterlink.sim.electricity.VirtualIecMeter(Integer.toString(first + i),
                                IEC_MODES.get((i - 1) % IEC_MODES.size()), g.damageEvery(), rig.random.nextLong());
                        if (g.damageEvery() > 0) { // mode E sessions (32-byte segments, 8-byte blocks) spoilt in turn by every HDLC fault
                            m.withDlms(new io.meterlink.sim.electricity.DlmsMeterSession.Options(32, 8, g.damageEvery(),
                                    List.of(io.meterlink.sim.electricity.DlmsMeterSession.Damage.values()), null));
                        }
                        meters.add(m);
                        rig.electricityLedgers.add(m::ledger);
                    }
                    endpoint = io.meterlink.sim.electricity.ElectricityLineEndpoint.iec(
                            new io.meterlink.drivers.transport.SerialTransport(pty.meterEnd().toString(), 300, 7, io.meterlink.drivers.transport.SerialTransport.Parity.EVEN),
                            meters, true, rig.clock);
                    config.iec62056(name, pty.gatewayEnd(), g.interval(), meters.stream().map(io.meterlink.sim.electricity.VirtualIecMeter::address).toList());
                }
            }
            rig.electricityLines.add(endpoint);
            rig.lines.add(endpoint);
        }
        rig.log("%d %s meter(s), every %ds%s%s", g.count(), g.protocol().key(), g.interval().toSeconds(),
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
                var m = new io.meterlink.sim.modbus.VirtualModbusMeter(u, catalog.find(profile), id, rig.clock, g.damageEvery(), faults);
                meters.add(m);
                rig.modbusMeters.add(m);
                rig.electricityLedgers.add(m::ledger);
                entries.add(new String[]{Integer.toString(u), profile, id});
            }
            if (rtu) {
                SocatPty pty = SocatPty.start(rig.dir, name);
                rig.lines.add(pty::close);
                var slaves = new io.meterlink.sim.modbus.ModbusRtuSlaves(new io.meterlink.drivers.transport.SerialTransport(
                        pty.meterEnd().toString(), 9600, io.meterlink.drivers.transport.SerialTransport.Parity.EVEN), 9600, meters);
                rig.lines.add(slaves::close);
                config.modbus(name, pty.gatewayEnd(), 0, g.interval(), entries);
            } else {
                var server = new io.meterlink.sim.modbus.ModbusTcpSlaves(0, meters);
                rig.lines.add(server::close);
                config.modbus(name, null, server.port(), g.interval(), entries);
            }
        }
        rig.log("%d %s meter(s), %d per line, every %ds%s", g.count(), g.protocol().key(), g.perLine(), g.interval().toSeconds(),
                g.damageEvery() > 0 ? ", a fault every " + g.damageEvery() + ". request" : "");
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
        rig.hostileTarget = new HostileHeadEnd.Target(GATEWAY_ID, ScenarioBroker.PREFIX, gatewayUrl, pki.ca().certificate(),
                TestPki.create(rig.dir.resolve("pki-other"), "Other Utility CA").ca().certificate(), "ssl://localhost:" + closed,
                stateDir, utility, SignedBundle.generate(), h.trialBound(), h.oversizedMib() * 1024 * 1024);
        rig.log("hostile head-end: gateway identity and certificate in %s, bundle-signing key %s pinned; trial bound %ds",
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

    /**
     * A gateway the head-end can send signed commands to: an identity in the state directory with a
     * certificate from the scenario's CA, and a new utility bundle-signing key pinned (returned).
     */
    private java.security.KeyPair identity(Path stateDir, TestPki pki) throws Exception {
        StateDir sd = new StateDir(stateDir);
        IdentityStore ids = new IdentityStore(sd, new java.security.SecureRandom());
        ids.init(GATEWAY_ID, false);
        Instant now = rig.clock.instant();
        java.security.cert.X509Certificate cert = new UtilityCa(pki).sign(ids.load().csrPem(), GATEWAY_ID,
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
        SecureFiles.privateDirectory(sd.tlsDir());
        SecureFiles.replace(sd.certificateFile(), Pem.encode("CERTIFICATE", cert.getEncoded()).getBytes(java.nio.charset.StandardCharsets.US_ASCII), false);
        rig.utilityKey = SignedBundle.generate();
        new SigningKeyPin(sd).pin(rig.utilityKey.getPublic());
        return rig.utilityKey;
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
                io.meterlink.core.config.DriverRegistry.fromServiceLoader(), rig.clock)
                .apply("scenario bundle", v1.getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        rig.releases = stateDir.resolve("releases");
        Files.createDirectories(rig.releases.resolve("1.0"));
        Files.copy(rig.jar, rig.releases.resolve("1.0").resolve("meterlink.jar"));
        Files.createSymbolicLink(rig.releases.resolve("current"), Path.of("1.0"));
        rig.launcher = GatewayProcess.findJar(List.of(Path.of("distribution/src/main/packaging/meterlink"),
                Path.of("../distribution/src/main/packaging/meterlink")));
        Path good = io.meterlink.sim.headend.UpdatePackages.variant(rig.jar, rig.dir.resolve("update-2.0.jar"), "2.0");
        Path bad = io.meterlink.sim.headend.UpdatePackages.broken(rig.dir.resolve("update-4.0.jar"));
        rig.fleetTarget = new io.meterlink.sim.headend.FleetHeadEnd.Target(GATEWAY_ID, ScenarioBroker.PREFIX, rig.utilityKey, v2, from, to,
                good, "2.0", bad, "4.0");
        rig.log("fleet: meters in a bundle applied at the shell (%s), release 1.0 current under %s, launcher %s", sd.configFile(), rig.releases, rig.launcher);
        return sd.configFile();
    }
}
