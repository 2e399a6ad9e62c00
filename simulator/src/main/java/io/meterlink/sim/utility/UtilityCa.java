package io.meterlink.sim.utility;

import io.meterlink.sim.pki.TestPki;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The simulated utility's issuing CA: signs gateway CSRs with a {@link TestPki}'s CA key (EKU
 * clientAuth, RFC 5280 §4.2.1.12) and publishes a CRL (RFC 5280 §5) of the certificates it revoked.
 * Thread-safe.
 */
public final class UtilityCa {
    /** Why a CSR was not signed. */
    public static final class CsrRefused extends Exception {
        public CsrRefused(String message) { super(message); }
    }

    private final TestPki pki;
    private final SecureRandom random = new SecureRandom();
    private final Set<BigInteger> revoked = new LinkedHashSet<>();

    public UtilityCa(TestPki pki) {
        this.pki = pki;
    }

    public TestPki pki() { return pki; }

    /**
     * Checks the CSR's self-signature (proof of possession, RFC 2986 §3) and that its subject CN is
     * {@code expectedCn}, then issues a client certificate for its key valid from {@code notBefore}
     * to {@code notAfter}.
     */
    public synchronized X509Certificate sign(String csrPem, String expectedCn, Instant notBefore, Instant notAfter) throws CsrRefused {
        PKCS10CertificationRequest csr = parse(csrPem);
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(new JcaPKCS10CertificationRequest(csr).getPublicKey()))) {
                throw new CsrRefused("the CSR's signature does not verify");
            }
        } catch (CsrRefused e) {
            throw e;
        } catch (Exception e) {
            throw new CsrRefused("the CSR's signature cannot be checked: " + e.getMessage());
        }
        RDN[] cns = csr.getSubject().getRDNs(BCStyle.CN);
        String cn = cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
        if (!cn.equals(expectedCn)) throw new CsrRefused("the CSR is for '" + cn + "', not '" + expectedCn + "'");
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            X509Certificate ca = pki.ca().certificate();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, new BigInteger(63, random).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("O=Meterlink Test,CN=" + cn), key);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pki.ca().privateKey()));
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + cn, e);
        }
    }

    /** Adds {@code cert} to the CRL (written by {@link #writeCrl}). */
    public synchronized void revoke(X509Certificate cert) {
        revoked.add(cert.getSerialNumber());
    }

    /** Writes the current CRL (PEM, valid for a day) to {@code file}, for Mosquitto's {@code crlfile}. */
    public synchronized Path writeCrl(Path file) throws IOException {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(pki.ca().certificate(), Date.from(now.minusSeconds(60)));
            b.setNextUpdate(Date.from(now.plusSeconds(86_400)));
            for (BigInteger serial : revoked) b.addCRLEntry(serial, Date.from(now.minusSeconds(60)), CRLReason.keyCompromise);
            X509CRL crl = new JcaX509CRLConverter().getCRL(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pki.ca().privateKey())));
            String pem = "-----BEGIN X509 CRL-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(crl.getEncoded())
                    + "\n-----END X509 CRL-----\n";
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the CRL", e);
        }
    }

    private static PKCS10CertificationRequest parse(String pem) throws CsrRefused {
        try (org.bouncycastle.openssl.PEMParser p = new org.bouncycastle.openssl.PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (o instanceof PKCS10CertificationRequest csr) return csr;
        } catch (IOException | RuntimeException e) {
            throw new CsrRefused("not a PEM certificate request");
        }
        throw new CsrRefused("not a PEM certificate request");
    }
}
