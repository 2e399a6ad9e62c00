package io.meterlink.provisioning.identity;

import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateInstallerTest {
    @TempDir Path tmp;
    private IdentityStore store;
    private CertificateInstaller installer;
    private TestCa ca;
    private Path caFile;

    @BeforeEach
    void setUp() throws Exception {
        store = new IdentityStore(new StateDir(tmp.resolve("state")), new SecureRandom());
        store.init("gw-0001", false);
        installer = new CertificateInstaller(store, Clock.systemUTC());
        ca = TestCa.create("Utility Issuing CA");
        caFile = ca.writeCa(tmp.resolve("ca.pem"));
    }

    private Path cert(X509Certificate c) throws Exception {
        return TestCa.write(Files.createTempFile(tmp, "cert", ".pem"), c);
    }

    private ProvisioningException refused(X509Certificate c) throws Exception {
        Path file = cert(c);
        return assertThrows(ProvisioningException.class, () -> installer.install(file, Optional.empty(), Optional.of(caFile)));
    }

    @Test
    void install_acceptsOurCertificate_fromThePinnedCa_ownerOnly() throws Exception {
        X509Certificate c = ca.issue(store.load().publicKey(), "gw-0001");
        InstalledCertificate r = installer.install(cert(c), Optional.empty(), Optional.of(caFile));
        Path installed = store.stateDir().certificateFile();
        assertEquals(installed, r.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed.getParent())));
        assertEquals(c, Pem.certificates(Files.readString(installed)).get(0));
        assertFalse(r.previousKept());
    }

    @Test
    void install_again_keepsThePreviousCertificate() throws Exception {
        X509Certificate first = ca.issue(store.load().publicKey(), "gw-0001");
        X509Certificate second = ca.issue(store.load().publicKey(), "gw-0001");
        installer.install(cert(first), Optional.empty(), Optional.of(caFile));
        InstalledCertificate r = installer.install(cert(second), Optional.empty(), Optional.of(caFile));
        assertTrue(r.previousKept());
        Path installed = store.stateDir().certificateFile();
        assertEquals(second, Pem.certificates(Files.readString(installed)).get(0));
        assertEquals(first, Pem.certificates(Files.readString(installed.resolveSibling("gateway.pem.prev"))).get(0));
    }

    @Test
    void install_refusesACertificateForAnotherKey() throws Exception {
        ProvisioningException e = refused(ca.issue(TestCa.ecKeyPair().getPublic(), "gw-0001"));
        assertEquals(Kind.CERT_KEY_MISMATCH, e.kind());
        assertFalse(Files.exists(store.stateDir().certificateFile()));
    }

    @Test
    void install_refusesACertificateFromAnotherCa() throws Exception {
        TestCa other = TestCa.create("Utility Issuing CA"); // same name, other key
        ProvisioningException e = refused(other.issue(store.load().publicKey(), "gw-0001"));
        assertEquals(Kind.CERT_UNTRUSTED, e.kind());
        assertFalse(Files.exists(store.stateDir().certificateFile()));
    }

    @Test
    void install_refusesAnExpiredCertificate() throws Exception {
        Instant now = Instant.now();
        ProvisioningException e = refused(ca.issue(store.load().publicKey(), "gw-0001",
                now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(1))));
        assertEquals(Kind.CERT_EXPIRED, e.kind());
        assertFalse(Files.exists(store.stateDir().certificateFile()));
    }

    @Test
    void install_refusesACertificateNotYetValid() throws Exception {
        Instant now = Instant.now();
        ProvisioningException e = refused(ca.issue(store.load().publicKey(), "gw-0001",
                now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))));
        assertEquals(Kind.CERT_NOT_YET_VALID, e.kind());
    }

    @Test
    void install_refusesACertificateForAnotherGatewayId() throws Exception {
        ProvisioningException e = refused(ca.issue(store.load().publicKey(), "gw-9999"));
        assertEquals(Kind.CERT_UNTRUSTED, e.kind());
        assertTrue(e.getMessage().contains("gw-9999"), e.getMessage());
    }

    @Test
    void install_failedCheck_leavesTheInstalledCertificateUntouched() throws Exception {
        X509Certificate good = ca.issue(store.load().publicKey(), "gw-0001");
        installer.install(cert(good), Optional.empty(), Optional.of(caFile));
        refused(ca.issue(TestCa.ecKeyPair().getPublic(), "gw-0001"));
        assertEquals(good, Pem.certificates(Files.readString(store.stateDir().certificateFile())).get(0));
        assertFalse(Files.exists(store.stateDir().certificateFile().resolveSibling("gateway.pem.prev")));
    }

    @Test
    void install_withoutAPinnedCa_asksForOne() throws Exception {
        Path file = cert(ca.issue(store.load().publicKey(), "gw-0001"));
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> installer.install(file, Optional.empty(), Optional.empty()));
        assertEquals(Kind.INVALID_INPUT, e.kind());
        assertTrue(e.getMessage().contains("--ca"), e.getMessage());
    }

    @Test
    void install_notACertificate_isInvalidInput() throws Exception {
        Path file = Files.writeString(tmp.resolve("junk.pem"), "hello");
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> installer.install(file, Optional.empty(), Optional.of(caFile)));
        assertEquals(Kind.INVALID_INPUT, e.kind());
    }
}
