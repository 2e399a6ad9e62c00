package io.meterlink.drivers.coap;

import io.meterlink.core.api.config.OwnerOnlyFile;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.SslContextUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Californium endpoints for the {@code coap} driver: our own {@link Configuration} (never
 * Californium's properties file in the working directory), bodies up to {@link Senml#MAX_BYTES}
 * through blockwise transfer (RFC 7959), few threads; for {@code coaps} a Scandium DTLS 1.2 client
 * with the meter's PSK or certificates. Key bytes are wiped once Scandium has them and never logged.
 */
final class CoapEndpoints {
    private CoapEndpoints() { }

    static Configuration configuration(long timeoutMs) {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, Senml.MAX_BYTES);
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        c.set(CoapConfig.BLOCKWISE_STATUS_LIFETIME, (int) Math.max(30_000, timeoutMs), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        c.set(CoapConfig.MAX_ACTIVE_PEERS, 1024);
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4); // one meter per DTLS endpoint (Californium's default is 150,000)
        // constrained meters offer TLS_PSK_WITH_AES_128_CCM_8 (RFC 7252 §9.1.3.1), not on Californium's "recommended" list
        c.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false);
        c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 1, TimeUnit.SECONDS);
        c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 3);
        return c;
    }

    static CoapEndpoint plain(Configuration c) {
        return new CoapEndpoint.Builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress(0)).build();
    }

    /** A DTLS client endpoint for one meter; throws {@link IOException} naming the file (never its content) when a key cannot be read. */
    static CoapEndpoint secure(Configuration c, CoapMeter m) throws IOException {
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(c).setAddress(new InetSocketAddress(0)).setLoggingTag(m.meter().toString());
        if (m.psk()) {
            byte[] key = pskKey(m);
            try {
                b.setAdvancedPskStore(new AdvancedSinglePskStore(m.pskIdentity(), key));
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } else {
            try {
                PrivateKey key = SslContextUtil.loadPrivateKey(m.keyFile().toString(), null, null, null);
                Certificate[] chain = SslContextUtil.loadCertificateChain(m.certFile().toString(), null, null);
                Certificate[] trusted = SslContextUtil.loadTrustedCertificates(m.trustFile().toString());
                b.setCertificateIdentityProvider(new SingleCertificateProvider(key, (X509Certificate[]) Arrays.copyOf(chain, chain.length, X509Certificate[].class),
                        CertificateType.X_509));
                b.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustedCertificates(trusted).build());
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IOException("certificates of " + m.meter() + " (" + m.certFile() + ", " + m.keyFile() + ", " + m.trustFile()
                        + ") unusable: " + e.getClass().getSimpleName(), e);
            }
        }
        return new CoapEndpoint.Builder().setConfiguration(c).setConnector(new DTLSConnector(b.build())).build();
    }

    /** The PSK file's bytes (a trailing line end dropped), or after {@code hex:} its hex digits; the file owner-only. */
    static byte[] pskKey(CoapMeter m) throws IOException {
        byte[] raw = OwnerOnlyFile.readBytes(m.pskFile());
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) end--;
        try {
            if (end > 4 && new String(raw, 0, 4, StandardCharsets.US_ASCII).equals("hex:")) {
                try {
                    return HexFormat.of().parseHex(new String(raw, 4, end - 4, StandardCharsets.US_ASCII).trim());
                } catch (IllegalArgumentException e) {
                    throw new IOException("PSK file " + m.pskFile() + ": 'hex:' is not followed by hex digits");
                }
            }
            if (end == 0) throw new IOException("PSK file " + m.pskFile() + " is empty");
            return Arrays.copyOf(raw, end);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
