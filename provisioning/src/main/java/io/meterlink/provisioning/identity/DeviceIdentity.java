package io.meterlink.provisioning.identity;

import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/**
 * The gateway's identity as loaded from the state directory: its id and its EC P-256 key pair. The
 * private key stays inside this object: it signs CSRs and proofs of possession, and is never
 * returned, printed or logged. Immutable; thread-safe.
 */
public final class DeviceIdentity {
    /** Signature algorithm of CSRs and possession proofs (RFC 5758 ecdsa-with-SHA256). */
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private final String gatewayId;
    private final PublicKey publicKey;
    private final PrivateKey privateKey;

    DeviceIdentity(String gatewayId, PublicKey publicKey, PrivateKey privateKey) {
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    }

    public String gatewayId() { return gatewayId; }

    public PublicKey publicKey() { return publicKey; }

    /** The certificate subject for this gateway: {@code CN=<gateway id>}. */
    public X500Name subject() {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, gatewayId).build();
    }

    /** A PKCS#10 certification request (RFC 2986) for {@link #subject()}, signed with the gateway's key. */
    public PKCS10CertificationRequest csr() throws ProvisioningException {
        try {
            return new JcaPKCS10CertificationRequestBuilder(subject(), publicKey)
                    .build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(privateKey));
        } catch (OperatorCreationException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot sign the CSR: " + e.getClass().getSimpleName(), e);
        }
    }

    /** {@link #csr()} as PEM ({@code CERTIFICATE REQUEST}, RFC 7468 §7). */
    public String csrPem() throws ProvisioningException {
        try {
            return Pem.encode("CERTIFICATE REQUEST", csr().getEncoded());
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot encode the CSR", e);
        }
    }

    /**
     * True when {@code candidate} is the public half of our private key: a fresh random challenge
     * signed with the private key verifies with it.
     */
    public boolean holdsPrivateKeyOf(PublicKey candidate) {
        return io.meterlink.core.config.KeyPairCheck.matches(privateKey, candidate);
    }

    @Override public String toString() {
        return "DeviceIdentity[" + gatewayId + "]";
    }
}
