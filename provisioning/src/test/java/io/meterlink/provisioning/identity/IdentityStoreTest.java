package io.meterlink.provisioning.identity;

import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.TechnicianSecret;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityStoreTest {
    @TempDir Path tmp;

    private IdentityStore store() {
        return new IdentityStore(new StateDir(tmp.resolve("state")), new SecureRandom());
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void init_writesOwnerOnlyFiles_inOwnerOnlyDirectories() throws Exception {
        IdentityStore s = store();
        s.init("gw-0001", false);
        StateDir d = s.stateDir();
        assertEquals("rwx------", mode(d.root()));
        assertEquals("rwx------", mode(d.identityDir()));
        for (Path f : new Path[] {d.privateKeyFile(), d.publicKeyFile(), d.technicianSecretFile(), d.gatewayIdFile()}) {
            assertEquals("rw-------", mode(f), f.toString());
        }
        assertTrue(Files.readString(d.privateKeyFile()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        try (var files = Files.list(d.identityDir())) {
            assertEquals(4, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void load_returnsTheSameIdentity_andSecret() throws Exception {
        IdentityStore s = store();
        InitResult r = s.init("gw-0001", false);
        DeviceIdentity loaded = s.load();
        assertEquals("gw-0001", loaded.gatewayId());
        assertEquals(r.identity().publicKey(), loaded.publicKey());
        assertTrue(loaded.holdsPrivateKeyOf(r.identity().publicKey()));
        TechnicianSecret secret = s.technicianSecret();
        assertEquals(r.technicianSecret(), secret);
        assertEquals(TechnicianSecret.LENGTH, secret.reveal().length());
        assertTrue(secret.reveal().matches("[A-Z2-7]{26}"));
        assertArrayEquals(secret.reveal().getBytes(), secret.pskBytes());
        assertTrue(secret.matches(secret.pskBytes()));
        assertFalse(secret.matches("AAAAAAAAAAAAAAAAAAAAAAAAAA".getBytes()));
        assertEquals("******", secret.toString());
    }

    @Test
    void init_refusesToReplaceAnIdentity_unlessForced() throws Exception {
        IdentityStore s = store();
        InitResult first = s.init("gw-0001", false);
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> s.init("gw-0001", false));
        assertEquals(Kind.ALREADY_INITIALISED, e.kind());
        assertEquals(first.identity().publicKey(), s.load().publicKey(), "untouched");

        InitResult second = s.init("gw-0002", true);
        assertTrue(second.replaced());
        assertNotEquals(first.identity().publicKey(), s.load().publicKey());
        assertNotEquals(first.technicianSecret(), s.technicianSecret());
        assertEquals("gw-0002", s.load().gatewayId());
    }

    @Test
    void init_rejectsAnInvalidGatewayId() {
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> store().init("gw/+1", false));
        assertEquals(Kind.INVALID_INPUT, e.kind());
        assertFalse(Files.exists(tmp.resolve("state")));
    }

    @Test
    void load_withoutInit_saysNotInitialised() {
        ProvisioningException e = assertThrows(ProvisioningException.class, () -> store().load());
        assertEquals(Kind.NOT_INITIALISED, e.kind());
        assertTrue(e.getMessage().contains("provision init"), e.getMessage());
    }

    @Test
    void csr_verifies_andCarriesTheGatewayIdAsCn() throws Exception {
        IdentityStore s = store();
        s.init("gw-0001", false);
        String pem = s.load().csrPem();
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"), pem);
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            csr = (PKCS10CertificationRequest) p.readObject();
        }
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(
                java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded())))));
        assertEquals("gw-0001", IETFUtils.valueToString(csr.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue()));
        assertEquals("1.2.840.10045.4.3.2", csr.getSignatureAlgorithm().getAlgorithm().getId(), "ecdsa-with-SHA256");
        assertArrayEquals(s.load().publicKey().getEncoded(), csr.getSubjectPublicKeyInfo().getEncoded());
    }
}
