package io.meterlink.provisioning.tech;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

import java.util.List;

/**
 * The DTLS 1.2 cipher suites of the technician endpoint and its client: ECDHE-PSK only (RFC 5489,
 * RFC 8442), so each session has its own ephemeral key and a recorded session cannot be decrypted
 * later by someone who learns the label's PSK (forward secrecy). Plain PSK suites are never offered
 * or accepted. AEAD suites first; AES-128-CBC-SHA256 last, because it is the ECDHE-PSK suite OpenSSL
 * (and so libcoap's {@code coap-client-openssl}) offers for DTLS 1.2.
 */
final class TechCipherSuites {
    static final List<CipherSuite> SUITES = List.of(
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256,
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);

    private TechCipherSuites() {
    }

    /** Restricts {@code c} to {@link #SUITES}. */
    static void apply(Configuration c) {
        c.set(DtlsConfig.DTLS_RECOMMENDED_CIPHER_SUITES_ONLY, false); // CBC-SHA256 is not on Californium's "recommended" list
        c.set(DtlsConfig.DTLS_CIPHER_SUITES, SUITES);
    }
}
