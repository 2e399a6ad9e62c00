package io.meterlink.core.uplink;

import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.tls.TlsMaterial;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.meterlink.core.uplink.MqttUplinkTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS files are read and parsed once at start-up: the configuration check's parse builds the
 * uplink's first TLS context; every later connection attempt reads the certificate and key again
 * (a renewal replaces them in place). Against an in-process TLS server that asks for a client
 * certificate and records the one each handshake presents.
 */
class FirstTlsContextTest {
    @TempDir Path dir;

    private final List<PublicKey> presented = new CopyOnWriteArrayList<>();
    private SSLServerSocket server;
    private MqttUplink uplink;

    @AfterEach
    void close() throws Exception {
        if (uplink != null) uplink.close();
        if (server != null) server.close();
    }

    @Test
    void theFirstContextIsBuiltFromTheCheckedFiles_laterOnesReadTheFilesAgain() throws Exception {
        KeyPair serverKeys = TestKeys.ec();
        X509Certificate serverCert = localhost(serverKeys);
        startServer(serverKeys, serverCert);
        KeyPair first = TestKeys.ec();
        Path ca = write("ca.pem", TestKeys.pem(serverCert));
        Path cert = write("gw.pem", TestKeys.pem(TestKeys.selfSigned(first)));
        Path key = write("gw.key", TestKeys.pem(new JcaPKCS8Generator(first.getPrivate(), null)));
        Path config = write("meterlink.yaml", String.join("\n",
                "gateway_id: gw-1",
                "uplink:",
                "  url: ssl://localhost:" + server.getLocalPort(),
                "  backoff_min: 50ms",
                "  backoff_max: 200ms",
                "  connect_timeout: 5s",
                "  tls:",
                "    ca_file: " + ca,
                "    cert_file: " + cert,
                "    key_file: " + key,
                ""));
        ConfigLoader.Checked checked = new ConfigLoader(new DriverRegistry(List.of()), List.of())
                .checkingFiles(ConfigLoader.FileChecks.PRESENT).readChecked(config);
        String pkcs8 = Base64.getEncoder().encodeToString(first.getPrivate().getEncoded());
        assertFalse(checked.tls().toString().contains(pkcs8), "no key material in " + checked.tls());
        assertFalse(checked.toString().contains(pkcs8), "no key material in the checked configuration");

        // gone after the check: a start that read them again could not build its first context
        Files.delete(ca);
        Files.delete(cert);
        Files.delete(key);
        FakeBuffer buffer = new FakeBuffer(new JsonPayloads("gw-1"));
        uplink = new MqttUplink(checked.config().uplink(), "gw-1", buffer,
                () -> new StatusSnapshot("gw-1", "test", System.currentTimeMillis(), 1, buffer.stats(), null, 0, List.of(),
                        BadInputCounts.NONE, List.of()), Clock.systemUTC(), checked.tls());
        uplink.start();
        await(() -> !presented.isEmpty(), "the first handshake");
        assertEquals(first.getPublic(), presented.get(0), "the first handshake presents the checked certificate");

        // the next attempts read the certificate file again, and find none
        await(() -> String.valueOf(uplink.stats().lastError()).contains(cert.toString()), "a reconnect that reads " + cert);
        assertEquals(1, presented.size(), "no handshake without the files");

        // renewed in place: the next attempt presents the new certificate
        KeyPair renewed = TestKeys.ec();
        write("gw.key", TestKeys.pem(new JcaPKCS8Generator(renewed.getPrivate(), null)));
        write("gw.pem", TestKeys.pem(TestKeys.selfSigned(renewed)));
        await(() -> presented.size() > 1, "a handshake after the renewal");
        assertEquals(renewed.getPublic(), presented.get(presented.size() - 1), "a reconnect presents the renewed certificate");
    }

    @Test
    void materialFromOtherFiles_isNotUsed_theFilesAreRead() throws Exception {
        KeyPair kp = TestKeys.ec();
        X509Certificate c = TestKeys.selfSigned(kp);
        Path ca = write("ca.pem", TestKeys.pem(c));
        TlsMaterial parsed = TlsMaterial.of(dir.resolve("other-ca.pem"), List.of(TestKeys.selfSigned(TestKeys.ec())),
                null, null, null, null);
        assertEquals(List.of(c), parsed.trustAnchors(ca));
    }

    /** A self-signed server certificate for {@code localhost} (the uplink checks the host name). */
    private static X509Certificate localhost(KeyPair kp) throws Exception {
        X500Name n = new X500Name("CN=localhost");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(n, BigInteger.TWO,
                new java.util.Date(System.currentTimeMillis() - 60_000), new java.util.Date(System.currentTimeMillis() + 86_400_000),
                n, kp.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    /** Accepts connections, completes each handshake (any client certificate), records its key, hangs up. */
    private void startServer(KeyPair kp, X509Certificate cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("JKS");
        ks.load(null, null);
        char[] pw = "test".toCharArray();
        ks.setKeyEntry("server", kp.getPrivate(), pw, new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AnyClient()}, null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                    presented.add(s.getSession().getPeerCertificates()[0].getPublicKey());
                } catch (Exception e) {
                    // a refused or dropped handshake: nothing presented
                }
            }
        }, "test-tls-server");
        t.setDaemon(true);
        t.start();
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The test server takes any client certificate: it only records which one came. */
    private static final class AnyClient extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
