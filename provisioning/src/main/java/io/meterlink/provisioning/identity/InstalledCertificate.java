package io.meterlink.provisioning.identity;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A certificate that {@link CertificateInstaller} accepted and installed.
 *
 * @param file        where it now is ({@code <state>/tls/gateway.pem})
 * @param subject     its subject DN
 * @param issuer      its issuer DN
 * @param notAfter    end of validity
 * @param sha256      SHA-256 fingerprint of the DER certificate, hex
 * @param previousKept true when an earlier certificate was kept as {@code gateway.pem.prev}
 */
public record InstalledCertificate(Path file, String subject, String issuer, Instant notAfter, String sha256,
                                   boolean previousKept) {
}
