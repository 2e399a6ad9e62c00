package io.meterlink.core.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import io.meterlink.core.uplink.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsContextsTest {

    @TempDir Path dir;

    private static KeyPair ec() throws Exception {
        return TestKeys.ec();
    }

    private static String pem(Object o) throws Exception {
        return TestKeys.pem(o);
    }

    private Path selfSigned(KeyPair kp) throws Exception {
        X509Certificate c = TestKeys.selfSigned(kp);
        Path f = dir.resolve("cert.pem");
        Files.writeString(f, pem(c));
        return f;
    }

    /** A throw-away test key as {@code openssl ecparam -genkey -name prime256v1 -noout} writes it (SEC1, "traditional"). */
    private static final String OPENSSL_EC_KEY =
            "-----BEGIN EC PRIVATE KEY-----\n" +
            "MHcCAQEEILADj7uGXGgokFmjFygCiRImDzc4ZIjqhvz13DgESlMfoAoGCCqGSM49\n" +
            "AwEHoUQDQgAEaYfOCkcIoQvJhCQf+Ap9ZhBqS4xsAUdP8exn5wwhql3vX7uxl0QO\n" +
            "roZMYyfO6v0CRl4rGhThOWP1QpE3V2E5vA==\n" +
            "-----END EC PRIVATE KEY-----\n";

    @Test
    void privateKey_readsPkcs8_andTraditionalEc() throws Exception {
        KeyPair kp = ec();
        Path pkcs8 = dir.resolve("k8.pem");
        Files.writeString(pkcs8, pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        assertArrayEquals(kp.getPrivate().getEncoded(), TlsContexts.readPrivateKey(pkcs8).getEncoded());

        Path traditional = dir.resolve("kt.pem");
        Files.writeString(traditional, OPENSSL_EC_KEY);
        PrivateKey b = TlsContexts.readPrivateKey(traditional);
        assertEquals("EC", b.getAlgorithm());
    }

    @Test
    void privateKey_encrypted_isRefusedWithoutRevealingIt() throws Exception {
        KeyPair kp = ec();
        Path enc = dir.resolve("enc.pem");
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                .setPassword("pw".toCharArray()).build();
        Files.writeString(enc, pem(new JcaPKCS8Generator(kp.getPrivate(), encryptor)));
        TlsContexts.TlsSetupException e = assertThrows(TlsContexts.TlsSetupException.class, () -> TlsContexts.readPrivateKey(enc));
        assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
        assertFalse(e.getMessage().contains("PRIVATE KEY-----"));
    }

    @Test
    void sockets_allowOnlyTls13And12_andVerifyHostNames() throws Exception {
        KeyPair kp = ec();
        Path cert = selfSigned(kp);
        Path key = dir.resolve("key.pem");
        Files.writeString(key, pem(new JcaPKCS8Generator(kp.getPrivate(), null)));
        SSLSocketFactory f = TlsContexts.socketFactory(cert, Optional.of(cert), Optional.of(key));
        try (SSLSocket s = (SSLSocket) f.createSocket()) {
            SSLParameters p = s.getSSLParameters();
            assertEquals("HTTPS", p.getEndpointIdentificationAlgorithm());
            assertEquals(java.util.Set.of("TLSv1.3", "TLSv1.2"), java.util.Set.of(p.getProtocols()), Arrays.toString(p.getProtocols()));
        }
    }

    @Test
    void caFile_withoutCertificates_isRefused() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        assertThrows(TlsContexts.TlsSetupException.class, () -> TlsContexts.socketFactory(empty, Optional.empty(), Optional.empty()));
    }
}
