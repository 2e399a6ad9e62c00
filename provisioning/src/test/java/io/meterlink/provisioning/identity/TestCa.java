package io.meterlink.provisioning.identity;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** A throw-away CA for tests: issues certificates for any public key. */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());
    private final KeyPair keys;
    private final X509Certificate cert;

    private TestCa(KeyPair keys, X509Certificate cert) {
        this.keys = keys;
        this.cert = cert;
    }

    public static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    public static TestCa create(String name) throws Exception {
        KeyPair kp = ecKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new TestCa(kp, sign(b, kp));
    }

    public X509Certificate certificate() { return cert; }

    public X509Certificate issue(PublicKey key, String cn) throws Exception {
        Instant now = Instant.now();
        return issue(key, cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
    }

    public X509Certificate issue(PublicKey key, String cn, Instant notBefore, Instant notAfter) throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(cert.getSubjectX500Principal().getName()),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        return sign(b, keys);
    }

    public Path writeCa(Path file) throws Exception {
        Files.writeString(file, Pem.encode("CERTIFICATE", cert.getEncoded()));
        return file;
    }

    public static Path write(Path file, X509Certificate c) throws Exception {
        Files.writeString(file, Pem.encode("CERTIFICATE", c.getEncoded()));
        return file;
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
