package io.meterlink.core.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Builds the TLS socket factory of the uplink: TLS 1.3/1.2 only, trust only the pinned CA file,
 * hostname verification always on (set on every socket and enforced again in the trust manager, so
 * no client library default can switch it off), and optionally a client certificate from PEM files.
 */
public final class TlsContexts {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {
    }

    /** Thrown for unreadable or unsuitable CA, certificate or key files; the message names the file, never key material. */
    public static final class TlsSetupException extends Exception {
        TlsSetupException(String message, Throwable cause) { super(message, cause); }
    }

    public static SSLSocketFactory socketFactory(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) throws TlsSetupException {
        return socketFactory(readCertificates(caFile), certFile, keyFile);
    }

    /** As {@link #socketFactory(Path, Optional, Optional)}, with trust anchors already read (an uplink settings snapshot). */
    public static SSLSocketFactory socketFactory(List<X509Certificate> cas, Optional<Path> certFile, Optional<Path> keyFile) throws TlsSetupException {
        if (certFile.isPresent() && keyFile.isPresent()) {
            return fromParsed(cas, readCertificates(certFile.get()), readPrivateKey(keyFile.get()));
        }
        return fromParsed(cas, null, null);
    }

    /** With the client certificate {@code chain} and its {@code key} already parsed (both {@code null}: no client certificate). */
    static SSLSocketFactory fromParsed(List<X509Certificate> cas, List<X509Certificate> chain, PrivateKey key) throws TlsSetupException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca-" + i, cas.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            X509ExtendedTrustManager pkix = Arrays.stream(tmf.getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                    .findFirst().orElseThrow(() -> new GeneralSecurityException("no X509ExtendedTrustManager"));

            KeyManagerFactory kmf = null;
            if (chain != null && key != null) {
                char[] pw = new char[16];
                SecureRandom r = new SecureRandom();
                for (int i = 0; i < pw.length; i++) pw[i] = (char) ('a' + r.nextInt(26));
                // an in-memory store only, read once by the JDK's key manager (which picks the client
                // certificate exactly as before); PKCS12 would wrap and unwrap the key with 10,000 PBKDF2
                // rounds each time, ~40 ms of every start-up and reconnect on a small CPU
                KeyStore ks = KeyStore.getInstance("JKS");
                ks.load(null, null);
                ks.setKeyEntry("client", key, pw, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                Arrays.fill(pw, '\0');
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[]{new HostnameEnforcingTrustManager(pkix)}, null);
            return new HardenedSocketFactory(ctx.getSocketFactory());
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsSetupException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> readCertificates(Path file) throws TlsSetupException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) throw new TlsSetupException("no certificate in " + file, null);
            return out;
        } catch (IOException | CertificateException e) {
            throw new TlsSetupException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /** PKCS#8 ({@code PRIVATE KEY}) or traditional ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) PEM, unencrypted. */
    public static PrivateKey readPrivateKey(Path file) throws TlsSetupException {
        try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) return conv.getPrivateKey(info);
            if (o instanceof PEMKeyPair pair) return conv.getKeyPair(pair).getPrivate();
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new TlsSetupException("private key in " + file + " is encrypted; give an unencrypted key file (mode 0600)", null);
            }
            throw new TlsSetupException("no private key in " + file, null);
        } catch (IOException e) {
            // the parser's message never contains key material
            throw new TlsSetupException("cannot read private key " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Restricts protocols and turns on HTTPS-style hostname verification on every socket it creates. */
    static final class HardenedSocketFactory extends WrappingSslFactory {

        HardenedSocketFactory(SSLSocketFactory delegate) { super(delegate); }

        @Override protected Socket wrap(Socket s) {
            if (s instanceof SSLSocket ssl) {
                SSLParameters p = ssl.getSSLParameters();
                List<String> supported = Arrays.asList(ssl.getSupportedProtocols());
                p.setProtocols(Arrays.stream(PROTOCOLS).filter(supported::contains).toArray(String[]::new));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
            }
            return s;
        }
    }

    /**
     * PKIX validation against the pinned CA plus the host name check. Client libraries may replace a
     * socket's SSL parameters after we created it (Paho does, for SNI), so the HTTPS endpoint
     * identification is set again right before the JDK checks the server chain.
     */
    static final class HostnameEnforcingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        HostnameEnforcingTrustManager(X509ExtendedTrustManager pkix) { this.pkix = pkix; }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (!(socket instanceof SSLSocket ssl)) throw new CertificateException("server host name cannot be verified");
            SSLParameters p = ssl.getSSLParameters();
            if (!"HTTPS".equals(p.getEndpointIdentificationAlgorithm())) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
            }
            pkix.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (engine == null) throw new CertificateException("server host name cannot be verified");
            SSLParameters p = engine.getSSLParameters();
            if (!"HTTPS".equals(p.getEndpointIdentificationAlgorithm())) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(p);
            }
            pkix.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("server host name cannot be verified without a socket");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("the uplink is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("the uplink is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the uplink is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() { return pkix.getAcceptedIssuers(); }
    }
}
