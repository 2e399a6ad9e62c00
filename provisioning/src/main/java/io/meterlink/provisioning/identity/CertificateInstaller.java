package io.meterlink.provisioning.identity;

import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a certificate issued for this gateway and installs it: its public key must be ours (proof
 * by signature), its subject CN our gateway id, it must be within its validity (as must its chain),
 * and it must chain to the pinned utility CA (RFC 5280 §6 path validation; revocation is checked by
 * the broker, which holds the CRL). Installation is atomic and keeps the previous certificate as
 * {@code gateway.pem.prev}. Thread-safe as long as one process installs at a time.
 */
public final class CertificateInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateInstaller.class);

    private final IdentityStore identities;
    private final Clock clock;

    public CertificateInstaller(IdentityStore identities, Clock clock) {
        this.identities = identities;
        this.clock = clock;
    }

    /**
     * @param certFile  PEM: the gateway's certificate, optionally followed by intermediates
     * @param chainFile PEM intermediates, optional
     * @param caFile    PEM trust anchors; default: the pinned CA of the active bundle ({@code <state>/config/ca.pem})
     */
    public InstalledCertificate install(Path certFile, Optional<Path> chainFile, Optional<Path> caFile) throws ProvisioningException {
        DeviceIdentity identity = identities.load();
        List<X509Certificate> given = read(certFile, "certificate");
        if (given.isEmpty()) throw new ProvisioningException(Kind.INVALID_INPUT, certFile + " holds no PEM CERTIFICATE");
        X509Certificate leaf = given.get(0);
        List<X509Certificate> intermediates = new ArrayList<>(given.subList(1, given.size()));
        if (chainFile.isPresent()) intermediates.addAll(read(chainFile.get(), "chain"));
        Path anchorsFile = caFile.orElse(identities.stateDir().caFile());
        if (caFile.isEmpty() && !Files.exists(anchorsFile)) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "no pinned utility CA yet (" + anchorsFile
                    + " is missing): give --ca CAFILE or apply a configuration bundle first");
        }
        List<X509Certificate> anchors = read(anchorsFile, "CA");
        if (anchors.isEmpty()) throw new ProvisioningException(Kind.INVALID_INPUT, anchorsFile + " holds no PEM CERTIFICATE");

        check(identity, leaf, intermediates, anchors);

        List<X509Certificate> toStore = new ArrayList<>();
        toStore.add(leaf);
        for (X509Certificate c : intermediates) if (!anchors.contains(c)) toStore.add(c);
        SecureFiles.privateDirectory(identities.stateDir().tlsDir());
        Path target = identities.stateDir().certificateFile();
        boolean hadPrevious = Files.exists(target);
        try {
            SecureFiles.replace(target, Pem.encodeCertificates(toStore).getBytes(StandardCharsets.US_ASCII), true);
        } catch (CertificateException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "cannot encode the certificate", e);
        }
        InstalledCertificate result = new InstalledCertificate(target, leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(), leaf.getNotAfter().toInstant(), fingerprint(leaf), hadPrevious);
        LOG.info("Installed the certificate of gateway {} (SHA-256 {}, valid until {})", identity.gatewayId(),
                result.sha256(), result.notAfter());
        return result;
    }

    private void check(DeviceIdentity identity, X509Certificate leaf, List<X509Certificate> intermediates,
                       List<X509Certificate> anchors) throws ProvisioningException {
        if (!identity.holdsPrivateKeyOf(leaf.getPublicKey())) {
            throw new ProvisioningException(Kind.CERT_KEY_MISMATCH, "the certificate (" + leaf.getSubjectX500Principal().getName()
                    + ") is for another key, not this gateway's: issue it from this gateway's CSR ('meterlink provision csr')");
        }
        String cn = commonName(leaf);
        if (!identity.gatewayId().equals(cn)) {
            throw new ProvisioningException(Kind.CERT_UNTRUSTED, "the certificate's CN is '" + cn + "', this gateway is '"
                    + identity.gatewayId() + "'");
        }
        Date now = Date.from(clock.instant());
        List<X509Certificate> all = new ArrayList<>();
        all.add(leaf);
        all.addAll(intermediates);
        for (X509Certificate c : all) {
            String which = c == leaf ? "the certificate" : "the chain certificate " + c.getSubjectX500Principal().getName();
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new ProvisioningException(Kind.CERT_EXPIRED, which + " expired on " + c.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                throw new ProvisioningException(Kind.CERT_NOT_YET_VALID, which + " is valid only from " + c.getNotBefore().toInstant()
                        + " (is the gateway's clock right? it says " + now.toInstant() + ")");
            }
        }
        try {
            Set<TrustAnchor> trust = new HashSet<>();
            for (X509Certificate a : anchors) trust.add(new TrustAnchor(a, null));
            List<X509Certificate> path = new ArrayList<>();
            path.add(leaf);
            for (X509Certificate c : intermediates) if (!anchors.contains(c)) path.add(c);
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
            throw new ProvisioningException(Kind.CERT_UNTRUSTED, "the certificate does not chain to the pinned utility CA"
                    + (e.getReason() == null ? "" : " (" + e.getReason().toString().toLowerCase().replace('_', ' ') + ")"), e);
        } catch (GeneralSecurityException e) {
            throw new ProvisioningException(Kind.CERT_UNTRUSTED, "cannot validate the certificate chain: " + e.getMessage(), e);
        }
    }

    private static String commonName(X509Certificate cert) {
        RDN[] cns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        return cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    private static List<X509Certificate> read(Path file, String what) throws ProvisioningException {
        try {
            return Pem.certificates(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "cannot read the " + what + " file " + file + ": " + e.getClass().getSimpleName(), e);
        } catch (CertificateException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "the " + what + " file " + file + " is not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            return "?";
        }
    }
}
