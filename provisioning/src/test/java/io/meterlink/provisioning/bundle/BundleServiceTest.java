package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.identity.TestCa;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundleServiceTest {
    @TempDir Path tmp;
    private StateDir state;
    private BundleService service;
    private TestCa ca;
    private final DriverRegistry drivers = new DriverRegistry(List.of(new KeyedDriverFactory()));

    @BeforeEach
    void setUp() throws Exception {
        state = new StateDir(tmp.resolve("state"));
        IdentityStore ids = new IdentityStore(state, new SecureRandom());
        ids.init("gw-0001", false);
        service = new BundleService(state, ids, drivers, Clock.systemUTC());
        ca = TestCa.create("Utility CA");
    }

    private ApplyResult apply(String text) throws ProvisioningException {
        return service.apply("b.yaml", text.getBytes(StandardCharsets.UTF_8), true);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void apply_writesAValidConfiguration_withTheDeviceCertificate_andThePinnedCa() throws Exception {
        ApplyResult r = apply(Bundles.bundle(3, ca));
        assertEquals(3, r.version());
        assertEquals(0, r.previousVersion());
        assertEquals(1, r.sources());
        GatewayConfig c = ConfigLoader.load(state.configFile(), drivers);
        assertEquals("gw-0001", c.gatewayId());
        assertEquals("utility/meters", c.uplink().topicPrefix());
        assertEquals(state.caFile(), c.uplink().caFile().orElseThrow());
        assertEquals(state.certificateFile(), c.uplink().certFile().orElseThrow());
        assertEquals(state.privateKeyFile(), c.uplink().keyFile().orElseThrow());
        assertEquals(Duration.ofHours(1), c.sources().get(0).expectedInterval(), "from the schedule");
        assertEquals(ca.certificate(), io.meterlink.provisioning.identity.Pem.certificates(Files.readString(state.caFile())).get(0));
        assertEquals(3, service.installedVersion().orElseThrow());
    }

    @Test
    void apply_storesSecretsOwnerOnly() throws Exception {
        apply(Bundles.withPassword(1, ca));
        Path gen = state.configFile().toRealPath().getParent();
        assertEquals("rwx------", mode(gen));
        assertEquals("rwx------", mode(state.bundlesDir()));
        try (var files = Files.list(gen)) {
            for (Path f : files.toList()) assertEquals("rw-------", mode(f), f.toString());
        }
        String config = Files.readString(state.configFile());
        assertTrue(config.contains(Bundles.METER_KEY_1), "the hex key is carried over as written");
        assertTrue(config.contains("password: " + Bundles.PASSWORD));
        assertFalse(config.contains("cert_file"), "password authentication: no client certificate");
    }

    @Test
    void apply_refusesAVersionNotNewer() throws Exception {
        apply(Bundles.bundle(5, ca));
        String before = Files.readString(state.configFile());
        ProvisioningException same = assertThrows(ProvisioningException.class, () -> apply(Bundles.bundle(5, ca)));
        assertEquals(Kind.BUNDLE_NOT_NEWER, same.kind());
        ProvisioningException older = assertThrows(ProvisioningException.class, () -> apply(Bundles.bundle(4, ca)));
        assertEquals(Kind.BUNDLE_NOT_NEWER, older.kind());
        assertTrue(older.getMessage().contains("version 4") && older.getMessage().contains("version 5"), older.getMessage());
        assertEquals(before, Files.readString(state.configFile()));
        assertEquals(5, service.installedVersion().orElseThrow());
    }

    @Test
    void apply_invalidContent_leavesTheInstalledOneUntouched_andNamesBundleLineAndKey() throws Exception {
        apply(Bundles.bundle(1, ca));
        String before = Files.readString(state.configFile());
        String bad = Bundles.bundle(2, ca).replace(Bundles.METER_KEY_2, "0123456789abcdef") // too short
                .replace("protocol: mqtt5", "protocol: mqtt9");
        BundleException e = assertThrows(BundleException.class, () -> apply(bad));
        List<String> keys = e.errors().stream().map(ConfigError::key).toList();
        assertTrue(keys.contains("broker.protocol"), keys.toString());
        assertTrue(keys.contains("sources[0].meters[1].key"), keys.toString());
        ConfigError keyError = e.errors().stream().filter(x -> x.key().equals("sources[0].meters[1].key")).findFirst().orElseThrow();
        assertEquals("b.yaml", keyError.file());
        assertEquals(bad.lines().toList().indexOf(bad.lines().filter(l -> l.contains("87654321")).findFirst().orElseThrow()) + 1,
                keyError.line());
        assertFalse(e.getMessage().contains("0123456789abcdef"), e.getMessage());
        assertEquals(before, Files.readString(state.configFile()));
        assertEquals(1, service.installedVersion().orElseThrow());
        try (var files = Files.list(state.bundlesDir())) {
            assertEquals(List.of("highest-version", "v1"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no staging left behind");
        }
    }

    @Test
    void apply_readsBundlesWithTheConfigurationsHardenedLoader_duplicateKeysRefused() throws Exception {
        String dup = Bundles.bundle(2, ca, "inflight_window: 4", "inflight_window: 65");
        BundleException e = assertThrows(BundleException.class, () -> apply(dup));
        int second = dup.lines().toList().indexOf("  inflight_window: 65") + 1;
        assertEquals(List.of("b.yaml:" + second + ": broker.inflight_window: duplicate key (first given at line " + (second - 1) + ")"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void apply_aBrokerKeyOutOfItsDeclaredBounds_isNamedAsTheBundlesKey_atItsLine() throws Exception {
        String bad = Bundles.bundle(2, ca, "inflight_window: 65");
        BundleException e = assertThrows(BundleException.class, () -> apply(bad));
        int line = bad.lines().toList().indexOf("  inflight_window: 65") + 1;
        assertEquals(List.of("b.yaml:" + line + ": broker.inflight_window: must be between 1 and 64 (got '65')"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void apply_bundleErrors_areAllReportedAtOnce() {
        BundleException e = assertThrows(BundleException.class, () -> apply("bundle_version: x\ncolour: blue\nca_certificates: nope\n"));
        List<String> keys = e.errors().stream().map(ConfigError::key).toList();
        assertTrue(keys.containsAll(List.of("bundle_version", "colour", "ca_certificates", "broker")), keys.toString());
        assertFalse(Files.exists(state.configLink()));
    }

    @Test
    void apply_unknownSchedule_isAnError() throws Exception {
        BundleException e = assertThrows(BundleException.class, () -> apply(Bundles.bundle(1, ca).replace("schedule: hourly", "schedule: daily")));
        assertEquals("sources[0].schedule", e.errors().get(0).key());
    }

    @Test
    void apply_bundleForAnotherGateway_isRefused() throws Exception {
        BundleException e = assertThrows(BundleException.class, () -> apply(Bundles.bundle(1, ca).replace("gateway_id: gw-0001", "gateway_id: gw-0002")));
        assertEquals("gateway_id", e.errors().get(0).key());
    }

    @Test
    void apply_jsonBundle_works() throws Exception {
        String pem = io.meterlink.provisioning.identity.Pem.encode("CERTIFICATE", ca.certificate().getEncoded()).replace("\n", "\\n");
        String json = "{\"bundle_version\": 1, \"ca_certificates\": \"" + pem + "\", \"broker\": {\"url\": \"ssl://b:8883\"},"
                + " \"sources\": [{\"name\": \"w\", \"driver\": \"keyed\", \"meters\": [{\"id\": \"1\", \"key\": \"" + Bundles.METER_KEY_1 + "\"}]}]}";
        assertEquals(1, apply(json).sources());
    }

    @Test
    void rollback_returnsToThePreviousBundle() throws Exception {
        apply(Bundles.bundle(1, ca));
        String v1 = Files.readString(state.configFile());
        apply(Bundles.bundle(2, ca).replace("utility/meters", "utility/v2"));
        assertTrue(Files.readString(state.configFile()).contains("utility/v2"));

        ApplyResult r = service.rollback();
        assertEquals(1, r.version());
        assertEquals(2, r.previousVersion());
        assertEquals(v1, Files.readString(state.configFile()));
        assertEquals(1, service.installedVersion().orElseThrow());
        ProvisioningException again = assertThrows(ProvisioningException.class, () -> service.rollback());
        assertEquals(Kind.NOTHING_TO_ROLL_BACK, again.kind());
        BundleRefusedException replay = assertThrows(BundleRefusedException.class, () -> apply(Bundles.bundle(2, ca)));
        assertEquals(BundleRefusedException.Reason.REPLAYED, replay.reason(), "a rolled-back version never comes back");
        assertEquals(3, apply(Bundles.bundle(3, ca)).version(), "a newer bundle applies after a rollback");
    }

    @Test
    void rollback_withNothingApplied_saysSo() {
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> service.rollback());
        assertEquals(Kind.NOTHING_TO_ROLL_BACK, e.kind());
    }

    @Test
    void apply_keepsOnlyTheActiveAndThePreviousGeneration() throws Exception {
        for (int v = 1; v <= 4; v++) apply(Bundles.bundle(v, ca));
        try (var files = Files.list(state.bundlesDir())) {
            assertEquals(List.of("highest-version", "v3", "v4"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
