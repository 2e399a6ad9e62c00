package io.meterlink.core.status;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CertificateExpiryTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private static void writeCert(Path file, Instant notAfter) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name n = new X500Name("CN=gw-1");
        var cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(n, BigInteger.ONE,
                Date.from(NOW.minus(Duration.ofDays(400))), Date.from(notAfter), n, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
    }

    @Test
    void daysLeft_roundsDown_andGoesNegativeOnceExpired(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gateway.pem");
        writeCert(f, NOW.plus(Duration.ofDays(30)).minusSeconds(1));
        CertificateExpiry e = new CertificateExpiry(f);
        assertEquals(29L, e.daysLeft(NOW));
        writeCert(f, NOW.minus(Duration.ofHours(1)));
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5))); // a renewal replaces the file
        assertEquals(-1L, e.daysLeft(NOW));
    }

    @Test
    void daysLeft_isNull_whenTheFileIsMissingOrNoCertificate(@TempDir Path dir) throws Exception {
        assertNull(new CertificateExpiry(dir.resolve("missing.pem")).daysLeft(NOW));
        Path junk = dir.resolve("junk.pem");
        Files.writeString(junk, "not a certificate");
        assertNull(new CertificateExpiry(junk).daysLeft(NOW));
    }
}
