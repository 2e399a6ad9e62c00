package io.meterlink.core.config;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.core.tls.TlsMaterial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The checks of the {@code uplink.tls} files that need the files themselves, made when a
 * configuration is about to run or is validated ({@link ConfigLoader.FileChecks}), not when a bundle
 * is staged: the CA file exists, is not empty and holds X.509 certificates; the client certificate
 * and key exist, parse, and belong together (a fresh challenge signed with the key verifies with
 * the certificate's public key). Errors go to the {@code tls} settings (file, line, key); they name
 * files, never key material. What the check parsed is handed on to the uplink's first TLS context
 * ({@link TlsMaterial}), so a start reads each file once.
 */
final class TlsFiles {
    private TlsFiles() {
    }

    /**
     * Checks the files, reporting to {@code tls}; returns what it parsed ({@link TlsMaterial}: the CA
     * certificates, and the client certificate with its key when they belong together), for the uplink's
     * first TLS context.
     */
    static TlsMaterial check(Settings tls, Optional<Path> ca, Optional<Path> cert, Optional<Path> key, boolean requireClientCert) {
        List<X509Certificate> cas = null;
        if (ca.isPresent() && readable(tls, "ca_file", ca.get())) {
            try {
                cas = TlsContexts.readCertificates(ca.get());
            } catch (TlsContexts.TlsSetupException e) {
                tls.error("ca_file", "no usable CA certificate: " + e.getMessage());
            }
        }
        Path caFile = ca.orElse(null);
        if (cert.isEmpty() || key.isEmpty()) return TlsMaterial.of(caFile, cas, null, null, null, null);
        // before enrolment (run --claim-config) the certificate is not there yet; validate asks for it
        if (!requireClientCert && !Files.exists(cert.get())) return TlsMaterial.of(caFile, cas, null, null, null, null);
        List<X509Certificate> chain = null;
        PrivateKey pk = null;
        if (readable(tls, "cert_file", cert.get())) {
            try {
                chain = TlsContexts.readCertificates(cert.get());
            } catch (TlsContexts.TlsSetupException e) {
                tls.error("cert_file", e.getMessage());
            }
        }
        if (readable(tls, "key_file", key.get())) {
            try {
                pk = TlsContexts.readPrivateKey(key.get());
            } catch (TlsContexts.TlsSetupException e) {
                tls.error("key_file", e.getMessage());
            }
        }
        if (chain == null || pk == null) return TlsMaterial.of(caFile, cas, null, null, null, null);
        if (!matches(pk, chain.get(0).getPublicKey())) {
            tls.error("key_file", "the private key does not belong to the certificate in " + cert.get());
            return TlsMaterial.of(caFile, cas, null, null, null, null);
        }
        return TlsMaterial.of(caFile, cas, cert.get(), chain, key.get(), pk);
    }

    private static boolean readable(Settings tls, String key, Path file) {
        if (!Files.exists(file)) {
            tls.error(key, "no such file: " + file);
            return false;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            tls.error(key, "not a readable file: " + file);
            return false;
        }
        try {
            if (Files.size(file) == 0) {
                tls.error(key, "empty file: " + file);
                return false;
            }
        } catch (java.io.IOException e) {
            tls.error(key, "cannot read " + file + ": " + e.getClass().getSimpleName());
            return false;
        }
        return true;
    }

    /** Whether {@code key} signs what {@code pub} verifies. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        return KeyPairCheck.matches(key, pub);
    }
}
