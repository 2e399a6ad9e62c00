package io.meterlink.sim.pki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;

/**
 * TLS socket factories for the simulator's own MQTT clients (head-end, counters): trust only the
 * test PKI's CA and present a client certificate issued by it (mutual TLS). Hostname verification
 * is the MQTT client's job (Paho: {@code setHttpsHostnameVerificationEnabled(true)}).
 */
public final class ClientTls {
    private ClientTls() {
    }

    /** A factory that pins {@code pki}'s CA and authenticates as {@code client}. */
    public static SSLSocketFactory mutual(TestPki pki, TestPki.Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", pki.ca().certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);

            char[] pw = new char[16];
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < pw.length; i++) pw[i] = (char) ('a' + random.nextInt(26));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.privateKey(), pw,
                    new Certificate[]{client.certificate(), pki.ca().certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pw);

            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), random);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the client TLS context", e);
        }
    }
}
