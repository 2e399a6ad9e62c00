package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code meterlink provision …} run in-process. */
class ProvisionCommandTest {
    @TempDir Path dir;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    static final class ProvisionServices implements Services {
        @Override public GatewayConfig loadConfig(Path file) throws ConfigException { return ConfigLoader.load(file, drivers()); }
        @Override public Gateway start(GatewayConfig config) { throw new AssertionError("not in these tests"); }
        @Override public BufferStats inspectBuffer(Path database) { throw new AssertionError("not in these tests"); }
        @Override public void awaitStopRequest() { }
        @Override public DriverRegistry drivers() { return ProvisionFixtures.drivers(); }
    }

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new ProvisionServices(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private String state() { return dir.resolve("state").toString(); }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private String init() {
        assertEquals(0, run("provision", "init", "--gateway-id", "gw-0001", "--state-dir", state()), err::toString);
        Matcher m = Pattern.compile("Technician secret .*: ([A-Z2-7]{26})").matcher(out.toString());
        assertTrue(m.find(), out::toString);
        return m.group(1);
    }

    private PKCS10CertificationRequest csr() throws Exception {
        assertEquals(0, run("provision", "csr", "--state-dir", state()), err::toString);
        return ProvisionFixtures.parseCsr(out.toString());
    }

    @Test
    void init_printsTheTechnicianSecretOnce_andWritesOwnerOnlyFiles() throws Exception {
        String secret = init();
        assertEquals(1, out.toString().split(secret, -1).length - 1, "printed exactly once");
        Path s = dir.resolve("state");
        assertEquals("rwx------", mode(s));
        assertEquals("rwx------", mode(s.resolve("identity")));
        assertEquals("rw-------", mode(s.resolve("identity/gateway.key")));
        assertEquals("rw-------", mode(s.resolve("identity/technician.psk")));
        assertFalse(out.toString().contains("PRIVATE KEY"));
    }

    @Test
    void init_nextHint_keepsTheStateDir_soItCanBeTypedAsPrinted() throws Exception {
        init();
        String next = out.toString().lines().filter(l -> l.startsWith("Next: ")).findFirst().orElseThrow();
        assertTrue(next.contains("meterlink provision csr --state-dir " + dir.resolve("state").toAbsolutePath().normalize() + " > "), next);
    }

    @Test
    void init_twice_exitsTwo_unlessForced() {
        init();
        assertEquals(2, run("provision", "init", "--gateway-id", "gw-0001", "--state-dir", state()));
        assertTrue(err.toString().contains("--force"), err::toString);
        assertEquals(0, run("provision", "init", "--gateway-id", "gw-0001", "--state-dir", state(), "--force"));
    }

    @Test
    void init_badGatewayId_exitsTwo() {
        assertEquals(2, run("provision", "init", "--gateway-id", "gw/#", "--state-dir", state()));
        assertEquals(2, run("provision", "init", "--state-dir", state()), "--gateway-id is required");
    }

    @Test
    void csr_isSignedByTheGatewayKey_andCarriesTheGatewayId() throws Exception {
        init();
        PKCS10CertificationRequest csr = csr();
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ProvisionFixtures.publicKey(csr))));
        assertEquals("gw-0001", IETFUtils.valueToString(csr.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue()));
    }

    @Test
    void csr_beforeInit_exitsTwo() {
        assertEquals(2, run("provision", "csr", "--state-dir", state()));
        assertTrue(err.toString().contains("provision init"), err::toString);
        assertEquals("", out.toString());
    }

    @Test
    void installCert_acceptsOurs_andRefusesOtherKeyOtherCaExpired() throws Exception {
        init();
        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("Utility CA");
        Path caFile = ProvisionFixtures.write(dir.resolve("ca.pem"), ca.cert);
        var key = ProvisionFixtures.publicKey(csr());
        Instant now = Instant.now();

        X509Certificate otherKey = ca.issue(ProvisionFixtures.ecKeys().getPublic(), "gw-0001");
        X509Certificate otherCa = new ProvisionFixtures.Ca("Utility CA").issue(key, "gw-0001");
        X509Certificate expired = ca.issue(key, "gw-0001", now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1)));
        String[] expect = {"another key", "does not chain to the pinned utility CA", "expired"};
        X509Certificate[] bad = {otherKey, otherCa, expired};
        for (int i = 0; i < bad.length; i++) {
            Path f = ProvisionFixtures.write(dir.resolve("bad" + i + ".pem"), bad[i]);
            assertEquals(2, run("provision", "install-cert", f.toString(), "--ca", caFile.toString(), "--state-dir", state()));
            assertTrue(err.toString().contains(expect[i]), err::toString);
        }
        assertFalse(Files.exists(dir.resolve("state/tls/gateway.pem")));

        Path good = ProvisionFixtures.write(dir.resolve("gw.pem"), ca.issue(key, "gw-0001"));
        assertEquals(0, run("provision", "install-cert", good.toString(), "--ca", caFile.toString(), "--state-dir", state()), err::toString);
        assertTrue(out.toString().contains("CN=gw-0001"), out::toString);
        assertEquals("rw-------", mode(dir.resolve("state/tls/gateway.pem")));
    }

    @Test
    void exampleConfig_pointsAtTheFilesProvisioningWrites() throws Exception {
        // provision a state directory by hand: init, then install-cert
        init();
        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("Utility CA");
        Path caFile = ProvisionFixtures.write(dir.resolve("ca.pem"), ca.cert);
        Path cert = ProvisionFixtures.write(dir.resolve("gw.pem"), ca.issue(ProvisionFixtures.publicKey(csr()), "gw-0001"));
        assertEquals(0, run("provision", "install-cert", cert.toString(), "--ca", caFile.toString(), "--state-dir", state()), err::toString);

        // the example, with its state directory moved to ours
        String example = Files.readString(Path.of("src/main/config/meterlink.example.yaml"));
        assertTrue(example.contains("state_dir: /var/lib/meterlink\n"), "the example names the default state directory");
        Path moved = Files.writeString(dir.resolve("meterlink.yaml"), example.replace("/var/lib/meterlink", state()));
        GatewayConfig cfg = ConfigLoader.load(moved); // the real drivers, found through ServiceLoader
        io.meterlink.provisioning.identity.StateDir layout = new io.meterlink.provisioning.identity.StateDir(cfg.stateDir());
        assertEquals(layout.certificateFile(), cfg.uplink().certFile().orElseThrow());
        assertEquals(layout.privateKeyFile(), cfg.uplink().keyFile().orElseThrow());
        assertTrue(Files.isRegularFile(cfg.uplink().certFile().get()), "the certificate provisioning installed");
        assertTrue(Files.isRegularFile(cfg.uplink().keyFile().get()), "the key provisioning made");
    }

    @Test
    void installCert_missingFile_exitsTwo() {
        init();
        assertEquals(2, run("provision", "install-cert", dir.resolve("nope.pem").toString(), "--ca", dir.resolve("ca.pem").toString(),
                "--state-dir", state()));
    }

    @Test
    void apply_rollback_andTheirRefusals() throws Exception {
        init();
        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("Utility CA");
        Path v1 = Files.writeString(dir.resolve("v1.yaml"), ProvisionFixtures.bundle(1, ca.cert, false));
        Path v2 = Files.writeString(dir.resolve("v2.yaml"), ProvisionFixtures.bundle(2, ca.cert, true));
        Path etc = dir.resolve("etc/meterlink.yaml");

        assertEquals(0, run("provision", "apply", "--allow-unsigned", v1.toString(), "--state-dir", state(), "--config", etc.toString()), err::toString);
        assertTrue(out.toString().contains("Applied bundle version 1 (1 source)"), out::toString);
        assertEquals(0, run("config", "validate", etc.toString()), err::toString);
        String applied1 = Files.readString(etc);

        assertEquals(2, run("provision", "apply", "--allow-unsigned", v1.toString(), "--state-dir", state()));
        assertTrue(err.toString().contains("not newer"), err::toString);

        Path broken = Files.writeString(dir.resolve("v3.yaml"), ProvisionFixtures.bundle(3, ca.cert, true).replace(ProvisionFixtures.METER_KEY_2, "zz"));
        assertEquals(2, run("provision", "apply", "--allow-unsigned", broken.toString(), "--state-dir", state()));
        assertTrue(err.toString().contains(broken + ":"), err::toString);
        assertTrue(err.toString().contains("sources[0].meters[1].key: must be 32 hex digits"), err::toString);
        assertTrue(err.toString().contains("nothing was changed"), err::toString);
        assertEquals(applied1, Files.readString(etc));

        assertEquals(0, run("provision", "apply", "--allow-unsigned", v2.toString(), "--state-dir", state(), "--config", etc.toString()), err::toString);
        assertTrue(Files.readString(etc).contains("username: gw-0001"));

        assertEquals(0, run("provision", "rollback", "--state-dir", state()), err::toString);
        assertTrue(out.toString().contains("Rolled back from bundle version 2 to 1"), out::toString);
        assertEquals(applied1, Files.readString(etc));
        assertEquals(2, run("provision", "rollback", "--state-dir", state()));
    }

    @Test
    void keygen_sign_andAPinnedKey_letOnlySignedBundlesThrough() throws Exception {
        Path keys = dir.resolve("offline/utility");
        Files.createDirectories(keys.getParent());
        assertEquals(0, run("provision", "keygen", keys.toString()), err::toString);
        Path priv = dir.resolve("offline/utility.key");
        Path pub = dir.resolve("offline/utility.pub");
        assertEquals("rw-------", mode(priv));
        assertEquals("rw-r--r--", mode(pub));
        assertFalse(out.toString().contains("PRIVATE"), "the private key is never printed");
        assertEquals(2, run("provision", "keygen", keys.toString()), "no silent overwrite");

        assertEquals(0, run("provision", "init", "--gateway-id", "gw-0001", "--state-dir", state(), "--bundle-signing-key", pub.toString()), err::toString);
        assertTrue(out.toString().contains("Bundle-signing key "), out::toString);
        assertEquals(Files.readString(pub), Files.readString(dir.resolve("state/identity/bundle-signing.pub")));
        assertEquals(2, run("provision", "init", "--gateway-id", "gw-0002", "--state-dir", dir.resolve("s2").toString(),
                "--bundle-signing-key", priv.resolveSibling("missing.pub").toString()));

        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("Utility CA");
        Path v1 = Files.writeString(dir.resolve("v1.yaml"), ProvisionFixtures.bundle(1, ca.cert, false));
        assertEquals(2, run("provision", "apply", v1.toString(), "--state-dir", state()), "unsigned needs --allow-unsigned");
        assertTrue(err.toString().contains("unsigned: "), err::toString);

        Path signed = dir.resolve("v1.signed");
        assertEquals(0, run("provision", "sign", v1.toString(), "--key", priv.toString(), "-o", signed.toString()), err::toString);
        assertTrue(Files.readString(signed).startsWith("meterlink-signed-bundle/1 alg=Ed25519 key="));
        assertTrue(Files.readString(signed).endsWith(Files.readString(v1)), "the bundle's exact bytes follow the header");
        assertEquals(2, run("provision", "sign", v1.toString(), "--key", pub.toString(), "-o", dir.resolve("x").toString()), "needs the private key");
        assertEquals(0, run("provision", "apply", signed.toString(), "--state-dir", state()), err::toString);
        assertTrue(out.toString().contains("Applied bundle version 1"), out::toString);
        assertEquals(2, run("provision", "apply", signed.toString(), "--state-dir", state()));
        assertTrue(err.toString().contains("replayed: "), err::toString);
    }

    @Test
    void signCommand_makesSignedCommandsAndUpdateManifests_forThePinnedKey() throws Exception {
        Path keys = dir.resolve("offline/utility");
        Files.createDirectories(keys.getParent());
        assertEquals(0, run("provision", "keygen", keys.toString()), err::toString);
        Path priv = dir.resolve("offline/utility.key");
        var pub = io.meterlink.provisioning.bundle.SigningKeyPin.parse(Files.readString(dir.resolve("offline/utility.pub")));
        Path cmd = dir.resolve("cmd.signed");
        assertEquals(0, run("provision", "sign-command", "log-level", "--gateway", "gw-0001", "--seq", "7",
                "--args", "{\"level\":\"debug\"}", "--key", priv.toString(), "-o", cmd.toString()), err::toString);
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                io.meterlink.provisioning.bundle.SignedBundle.parse(Files.readAllBytes(cmd)).verify(pub));
        assertEquals("log-level", body.path("command").asText());
        assertEquals("gw-0001", body.path("gateway_id").asText());
        assertEquals(7, body.path("seq").asLong());
        assertEquals("debug", body.path("args").path("level").asText());

        Path jar = Files.write(dir.resolve("meterlink.jar"), new byte[] {1, 2, 3});
        assertEquals(0, run("provision", "sign-command", "update", "--gateway", "gw-0001", "--seq", "8", "--jar", jar.toString(),
                "--release", "1.4.0", "--key", priv.toString(), "-o", cmd.toString()), err::toString);
        var args = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                io.meterlink.provisioning.bundle.SignedBundle.parse(Files.readAllBytes(cmd)).verify(pub)).path("args");
        assertEquals("1.4.0", args.path("version").asText());
        assertEquals(3, args.path("size").asLong());
        assertEquals("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", args.path("sha256").asText());
        assertEquals(2, run("provision", "sign-command", "update", "--gateway", "gw-0001", "--seq", "9", "--jar", jar.toString(),
                "--key", priv.toString()), "--jar needs --release");
        assertEquals(2, run("provision", "sign-command", "restart", "--gateway", "gw-0001", "--seq", "9", "--args", "[1]",
                "--key", priv.toString()), "--args must be an object");
    }

    @Test
    void provision_withoutSubcommand_exitsTwo() {
        assertEquals(2, run("provision"));
        assertEquals(2, run("provision", "apply"));
    }
}
