package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioParserTest {
    private static final Path SCENARIOS = Path.of("scenarios");
    private final ScenarioParser parser = new ScenarioParser();

    @Test
    void everyCommittedScenario_parses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(SCENARIOS)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.stream().map(p -> p.getFileName().toString()).toList()
                .containsAll(List.of("ci-smoke.yaml", "outage.yaml", "flapping.yaml", "soak.yaml")), "committed scenarios: " + files);
        for (Path f : files) {
            try {
                ScenarioSpec spec = parser.parse(f);
                assertFalse(spec.meters().isEmpty(), f + " has meters");
            } catch (ConfigException e) {
                throw new AssertionError(f + " does not parse: " + e.errors());
            }
        }
    }

    @Test
    void ciSmoke_hasABrokerOutageASigkillAndSerialGarbage_within3Minutes() throws ConfigException {
        ScenarioSpec spec = parser.parse(SCENARIOS.resolve("ci-smoke.yaml"));
        assertTrue(spec.duration().plus(spec.drainTimeout()).compareTo(Duration.ofMinutes(3)) <= 0, "at most 3 minutes");
        assertEquals(ScenarioSpec.BrokerKind.MOSQUITTO, spec.broker());
        assertTrue(spec.faults().stream().anyMatch(f -> f instanceof Fault.BrokerOutage));
        assertTrue(spec.faults().stream().anyMatch(f -> f instanceof Fault.GatewayKill));
        assertTrue(spec.faults().stream().anyMatch(f -> f instanceof Fault.SerialGarbage));
        assertEquals(0L, spec.invariants().lostAccepted());
        assertEquals(List.of(ScenarioSpec.Protocol.MBUS_TCP, ScenarioSpec.Protocol.MBUS_SERIAL, ScenarioSpec.Protocol.WMBUS),
                spec.meters().stream().map(ScenarioSpec.MeterGroup::protocol).toList());
    }

    @Test
    void diskFull_overlapsABrokerOutage_fsSizeBinds_within2Minutes() throws ConfigException {
        ScenarioSpec spec = parser.parse(SCENARIOS.resolve("disk-full.yaml"));
        assertTrue(spec.duration().plus(spec.drainTimeout()).compareTo(Duration.ofMinutes(2)) <= 0, "short enough for CI");
        Fault.DiskFull df = spec.faults().stream().filter(Fault.DiskFull.class::isInstance).map(Fault.DiskFull.class::cast)
                .findFirst().orElseThrow();
        assertEquals(8L << 20, df.fsSizeBytes());
        Fault.BrokerOutage outage = spec.faults().stream().filter(Fault.BrokerOutage.class::isInstance)
                .map(Fault.BrokerOutage.class::cast).findFirst().orElseThrow();
        assertTrue(outage.at().compareTo(df.at()) <= 0 && outage.at().plus(outage.length()).compareTo(df.at()) > 0,
                "the buffer must grow while the disk is full");
        assertEquals(0L, spec.invariants().lost());
    }

    @Test
    void twoDiskFullFaults_areAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("d.yaml"), """
                name: d
                duration: 30s
                meters:
                  - protocol: mbus_tcp
                    count: 1
                faults:
                  - type: disk_full
                    at: 1s
                    for: 5s
                  - type: disk_full
                    at: 10s
                    for: 5s
                """));
        assertEquals(List.of("d.yaml:10: faults[1].type: at most one disk_full fault: the state directory has one file system"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void electricity_mixesEveryElectricityFamilyWithMbus_damagesFrames_within2Minutes() throws ConfigException {
        ScenarioSpec spec = parser.parse(SCENARIOS.resolve("electricity.yaml"));
        assertTrue(spec.duration().plus(spec.drainTimeout()).compareTo(Duration.ofMinutes(2)) <= 0, "at most 2 minutes");
        assertEquals(List.of(ScenarioSpec.Protocol.MBUS_TCP, ScenarioSpec.Protocol.P1, ScenarioSpec.Protocol.SML, ScenarioSpec.Protocol.IEC62056_21),
                spec.meters().stream().map(ScenarioSpec.MeterGroup::protocol).toList());
        assertTrue(spec.meters().stream().filter(ScenarioSpec.MeterGroup::electricity).allMatch(g -> g.damageEvery() > 0));
        assertEquals(0L, spec.invariants().lost());
        assertTrue(spec.invariants().minBadFrames() > 0);
    }

    @Test
    void damageEvery_onlyForElectricity_andOnlyP1Encrypts() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("e.yaml"), """
                name: e
                duration: 30s
                meters:
                  - protocol: mbus_tcp
                    damage_every: 3
                  - protocol: sml
                    keys: random
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertEquals(List.of("e.yaml:5: meters[0].damage_every: only for p1, sml, iec62056_21, modbus and pulse meters",
                "e.yaml:7: meters[1].keys: only p1 meters encrypt"), errors);
    }

    @Test
    void usRadio_readsAllSixErtProtocols_netidmAndR900bcdOnTheirOwnSource() throws ConfigException {
        ScenarioSpec spec = parser.parse(SCENARIOS.resolve("us-radio.yaml"));
        List<String> all = spec.meters().stream().flatMap(g -> g.ertProtocols().stream()).sorted().toList();
        assertEquals(List.of("idm", "netidm", "r900", "r900bcd", "scm", "scm+"), all);
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("r.yaml"), """
                name: r
                duration: 30s
                meters:
                  - protocol: ert
                    protocols: [idm, netidm, fsk]
                  - protocol: mbus_tcp
                    protocols: [scm]
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertTrue(errors.stream().anyMatch(x -> x.contains("'fsk' is none of")), errors::toString);
        assertTrue(errors.stream().anyMatch(x -> x.contains("share their framing")), errors::toString);
        assertTrue(errors.stream().anyMatch(x -> x.contains("meters[1].protocols: only for ert meters")), errors::toString);
    }

    private Fault.GatewayKill randomKill(long seed) throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("kill.yaml"), """
                name: kill
                duration: 2m
                seed: %d
                meters:
                  - protocol: mbus_tcp
                faults:
                  - type: gateway_kill
                    at: 30s
                    random_within: 60s
                """.formatted(seed));
        return assertInstanceOf(Fault.GatewayKill.class, spec.faults().get(0));
    }

    @Test
    void gatewayKill_randomWithin_isAMomentInTheRange_drawnFromTheSeed() throws ConfigException {
        java.util.Set<Duration> moments = new java.util.HashSet<>();
        for (long seed = 1; seed <= 20; seed++) {
            Duration at = randomKill(seed).at();
            assertTrue(at.compareTo(Duration.ofSeconds(30)) >= 0 && at.compareTo(Duration.ofSeconds(90)) <= 0, "kill at " + at);
            assertEquals(at, randomKill(seed).at(), "the same seed gives the same moment");
            moments.add(at);
        }
        assertTrue(moments.size() > 10, "different seeds give different moments: " + moments);
    }

    @Test
    void fullFile_bindsEveryKey() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("t.yaml"), """
                name: t
                duration: 2m
                drain_timeout: 30s
                seed: 7
                broker:
                  kind: mosquitto
                gateway:
                  jvm_args: [-Xmx64m]
                  buffer_max_bytes: 1MiB
                  batch_max_readings: 50
                  backlog_max_rate: 20000
                  payload: compact
                  restart_after: 2s
                  kill_in_flight_window: 1s
                meters:
                  - protocol: mbus_tcp
                    count: 300
                    per_line: 250
                    interval: 15m
                faults:
                  - type: proxy_flap
                    at: 10s
                    for: 1m
                    up_min: 5s
                    up_max: 20s
                invariants:
                  lost: 0
                  live_p99_latency_ms_max: 5000
                """);
        assertEquals(Duration.ofMinutes(2), spec.duration());
        assertEquals(7, spec.seed());
        assertEquals(List.of("-Xmx64m"), spec.gateway().jvmArgs());
        assertEquals(1024 * 1024, spec.gateway().bufferMaxBytes());
        assertEquals(20000, spec.gateway().backlogMaxRate());
        assertTrue(new GatewayConfigText().text("gw", Path.of("/tmp/s"), spec.gateway(), "ssl://h:1", "")
                .contains("  backlog_max_rate: 20000\n"), "passed to the gateway's uplink section");
        assertTrue(new GatewayConfigText().text("gw", Path.of("/tmp/s"), spec.gateway(), "ssl://h:1", "")
                .contains("  payload: compact\n"), "uplink.payload passed on");
        assertEquals("json", spec.withPayload("json").gateway().payload());
        assertEquals(2, spec.meters().get(0).lines());
        Fault.ProxyFlap flap = assertInstanceOf(Fault.ProxyFlap.class, spec.faults().get(0));
        assertEquals(Duration.ofSeconds(20), flap.upMax());
        assertTrue(flap.needsProxy());
        assertEquals(5000L, spec.invariants().liveP99LatencyMsMax());
        assertEquals(null, spec.invariants().maxEvictions());
    }

    @Test
    void badValues_reportedWithLineAndKey_allInOnePass() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("bad.yaml"), """
                name: bad
                duration: 30s
                meters:
                  - protocol: mbus_tcp
                    count: lots
                faults:
                  - type: broker_outage
                    at: 10s
                    for: 1m
                  - type: volcano
                    at: 1s
                invariants:
                  lots: 0
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertEquals(List.of(
                "bad.yaml:5: meters[0].count: expected a whole number (got 'lots')",
                "bad.yaml:9: faults[0].for: the fault must end within the scenario's duration (30s)",
                "bad.yaml:10: faults[1].type: must be one of broker_outage, coap_restart, disk_full, fleet_ops, gateway_kill, hostile_headend, mbus_late, proxy_bandwidth, proxy_blackhole,"
                        + " proxy_cut, proxy_flap, proxy_latency, radio_bad_frames, radio_stall, serial_garbage (got 'volcano')",
                "bad.yaml:13: invariants.lots: unknown key"), errors);
    }

    @Test
    void missingRequiredKeys_andSerialGarbageOnAMissingLine_areErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("m.yaml"), """
                duration: 30s
                meters:
                  - count: 3
                faults:
                  - type: serial_garbage
                    at: 1s
                    for: 5s
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertEquals(List.of(
                "m.yaml:1: name: required key is missing",
                "m.yaml:3: meters[0].protocol: required key is missing",
                "m.yaml:5: faults[0].line: there are 0 mbus_serial line(s); line is 0-based"), errors);
    }

    @Test
    void newFaults_wrongKeys_andOrderKeyEvictionInvariants_bind() throws ConfigException {
        ScenarioSpec spec = parser.parse(Path.of("f.yaml"), """
                name: f
                duration: 1m
                gateway:
                  buffer_max_bytes: 128KiB
                meters:
                  - protocol: mbus_tcp
                    count: 10
                  - protocol: wmbus
                    count: 6
                    keys: random
                    wrong_keys: 2
                faults:
                  - type: proxy_bandwidth
                    at: 5s
                    for: 10s
                    bytes_per_second: 2KiB
                  - type: radio_bad_frames
                    at: 1s
                    for: 20s
                    radio: 0
                    every: 500ms
                  - type: mbus_late
                    at: 2s
                    for: 10s
                    line: 0
                    meters: 2
                    delay: 1500ms
                invariants:
                  max_out_of_order: 0
                  max_wrong_key_delivered: 0
                  min_key_errors: 5
                  max_eviction_order_violations: 0
                  min_evictions: 1
                """);
        assertEquals(2, spec.meters().get(1).wrongKeys());
        assertEquals(0, spec.meters().get(0).wrongKeys());
        Fault.ProxyBandwidth bw = assertInstanceOf(Fault.ProxyBandwidth.class, spec.faults().get(0));
        assertEquals(2048, bw.bytesPerSecond());
        assertTrue(bw.needsProxy());
        Fault.RadioBadFrames rb = assertInstanceOf(Fault.RadioBadFrames.class, spec.faults().get(1));
        assertEquals(Duration.ofMillis(500), rb.every());
        assertFalse(rb.needsProxy());
        Fault.MbusLate late = assertInstanceOf(Fault.MbusLate.class, spec.faults().get(2));
        assertEquals(2, late.meters());
        assertEquals(Duration.ofMillis(1500), late.delay());
        assertEquals(0L, spec.invariants().maxOutOfOrder());
        assertEquals(0L, spec.invariants().maxWrongKeyDelivered());
        assertEquals(5L, spec.invariants().minKeyErrors());
        assertEquals(0L, spec.invariants().maxEvictionOrderViolations());
        assertEquals(1L, spec.invariants().minEvictions());
    }

    @Test
    void newFaults_onMissingLinesOrMeters_andWrongKeysWithoutKeys_areErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("w.yaml"), """
                name: w
                duration: 30s
                meters:
                  - protocol: mbus_tcp
                    count: 3
                  - protocol: wmbus
                    count: 4
                    wrong_keys: 1
                faults:
                  - type: radio_bad_frames
                    at: 1s
                    for: 5s
                    radio: 1
                  - type: mbus_late
                    at: 1s
                    for: 5s
                    meters: 4
                """));
        List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
        assertEquals(List.of(
                "w.yaml:8: meters[1].wrong_keys: only wmbus meters with keys: random can have a wrong key",
                "w.yaml:13: faults[0].radio: there are 1 wmbus dongle(s); radio is 0-based",
                "w.yaml:17: faults[1].meters: line 0 has 3 meter(s)"), errors);
    }

    @Test
    void yamlSyntaxError_namesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(Path.of("s.yaml"), """
                name: s
                meters:
                  - protocol: mbus_tcp
                   count: 3
                """));
        assertTrue(e.errors().get(0).line() > 0, e.errors().toString());
    }
}
