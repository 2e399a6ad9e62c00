package io.meterlink.sim.pki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestPkiTest {

    @TempDir Path dir;

    @Test
    void issuedCertificates_chainToTheCa_andKeysArePrivatePkcs8() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Issued server = pki.issueLocalhostServer();
        TestPki.Issued client = pki.issueClient("gw-a");

        validate(pki.ca().certificate(), server.certificate());
        validate(pki.ca().certificate(), client.certificate());
        assertTrue(client.certificate().getSubjectX500Principal().getName().contains("CN=gw-a"));
        List<String> sans = server.certificate().getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList();
        assertEquals(List.of("localhost", "127.0.0.1"), sans);

        for (Path key : List.of(pki.ca().keyFile(), server.keyFile(), client.keyFile())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            try (Reader r = Files.newBufferedReader(key); PEMParser p = new PEMParser(r)) {
                assertInstanceOf(PrivateKeyInfo.class, p.readObject());
            }
        }
        try (var in = Files.newInputStream(server.certFile())) {
            X509Certificate read = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            assertEquals(server.certificate(), read);
        }
    }

    @Test
    void expiredServer_failsValidation_unrelatedCa_doesNotChain() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Issued expired = pki.issueExpiredServer();
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> validate(pki.ca().certificate(), expired.certificate()));
        assertInstanceOf(CertificateExpiredException.class, e.getCause());

        TestPki other = pki.unrelatedCa("other");
        TestPki.Issued foreign = other.issueLocalhostServer();
        assertThrows(CertPathValidatorException.class, () -> validate(pki.ca().certificate(), foreign.certificate()));
        assertTrue(Files.exists(other.caFile()));
    }

    @Test
    void serverKeyStore_holdsKeyAndChain() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Issued server = pki.issueLocalhostServer();
        TestPki.KeyStoreFile ksf = pki.serverKeyStore(server);
        KeyStore ks = KeyStore.getInstance(ksf.type());
        try (var in = new FileInputStream(ksf.path().toFile())) {
            ks.load(in, ksf.password().toCharArray());
        }
        assertArrayEquals(server.privateKey().getEncoded(), ks.getKey(ksf.alias(), ksf.password().toCharArray()).getEncoded());
        assertEquals(2, ks.getCertificateChain(ksf.alias()).length);
    }

    private static void validate(X509Certificate ca, X509Certificate leaf) throws Exception {
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }
}
