package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.config.DriverRegistry;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/** Test CA, keyed test driver and bundle text for the provisioning command tests. */
final class ProvisionFixtures {
    static final String METER_KEY_1 = "00112233445566778899AABBCCDDEEFF";
    static final String METER_KEY_2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    static final String PASSWORD = "Br0ker-Pa55word-xyzzy";

    private ProvisionFixtures() {
    }

    static final class Ca {
        private static long serial = System.nanoTime();
        final KeyPair keys;
        final X509Certificate cert;

        Ca(String name) throws Exception {
            keys = ecKeys();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(++serial),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            cert = sign(b);
        }

        X509Certificate issue(PublicKey key, String cn, Instant notBefore, Instant notAfter) throws Exception {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(cert.getSubjectX500Principal().getName()),
                    BigInteger.valueOf(++serial), Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return sign(b);
        }

        X509Certificate issue(PublicKey key, String cn) throws Exception {
            return issue(key, cn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
        }

        private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        }
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    static Path write(Path file, X509Certificate c) throws Exception {
        return Files.writeString(file, pem(c));
    }

    static PKCS10CertificationRequest parseCsr(String pem) throws Exception {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            return (PKCS10CertificationRequest) p.readObject();
        }
    }

    static PublicKey publicKey(PKCS10CertificationRequest csr) throws Exception {
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
    }

    /** A bundle with two keyed meters; with {@code password}, broker password authentication. */
    static String bundle(long version, X509Certificate ca, boolean password) throws Exception {
        return "bundle_version: " + version + "\n"
                + "gateway_id: gw-0001\n"
                + "ca_certificates: |\n" + pem(ca).indent(2)
                + "broker:\n  url: ssl://mqtt.utility.example:8883\n"
                + (password ? "  username: gw-0001\n  password: " + PASSWORD + "\n" : "")
                + "schedules:\n  hourly: {poll_interval: 1h, expected_interval: 1h}\n"
                + "sources:\n  - name: water\n    driver: keyed\n    schedule: hourly\n    meters:\n"
                + "      - {id: '1', key: " + METER_KEY_1 + "}\n"
                + "      - {id: '2', key: " + METER_KEY_2 + "}\n";
    }

    static DriverRegistry drivers() {
        return new DriverRegistry(List.of(new KeyedDriverFactory()));
    }

    /** Meters with an AES-128 key (hex), as a wireless M-Bus driver has them. */
    static final class KeyedDriverFactory implements DriverFactory {
        private static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration("poll_interval", Duration.ofMinutes(15),
                Duration.ofSeconds(1), Duration.ofDays(1), "how often");
        private static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the meters");
        private static final ConfigKey<String> ID = ConfigKey.required("meters[].id", "meter id");
        private static final ConfigKey<Optional<Secret>> KEY = ConfigKey.secret("meters[].key", "AES-128 key, hex");

        @Override public String type() { return "keyed"; }

        @Override public DriverSpec configure(Settings s) {
            s.get(POLL_INTERVAL);
            boolean ok = true;
            for (Settings m : s.get(METERS)) {
                m.get(ID);
                Optional<Secret> key = m.get(KEY);
                boolean good;
                try {
                    good = key.isPresent() && key.get().revealHex().length == 16;
                } catch (IllegalArgumentException e) {
                    good = false;
                }
                if (!good) {
                    m.error("key", "must be 32 hex digits (AES-128)");
                    ok = false;
                }
                m.finish();
            }
            s.finish();
            return ok ? context -> { throw new UnsupportedOperationException("not started in tests"); } : null;
        }
    }
}
