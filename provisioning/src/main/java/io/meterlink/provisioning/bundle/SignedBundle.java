package io.meterlink.provisioning.bundle;

import io.meterlink.provisioning.bundle.BundleRefusedException.Reason;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signed-bundle envelope: one ASCII header line, then the bundle's exact bytes.
 *
 * <pre>
 * meterlink-signed-bundle/1 alg=Ed25519 key=3f9c…(32 hex) sig=&lt;base64 of 64 bytes&gt;\n
 * &lt;the bundle, byte for byte as signed&gt;
 * </pre>
 *
 * The signature (Ed25519, RFC 8032, through the JDK's own provider) covers exactly the bytes after
 * the first {@code \n}; {@code key} is the first 16 bytes of the SHA-256 of the signing key's
 * SubjectPublicKeyInfo, in hex, so the utility can tell which of its keys signed. A bundle without
 * the header is unsigned. Stateless; thread-safe.
 */
public final class SignedBundle {
    public static final String MAGIC = "meterlink-signed-bundle/1";
    public static final String ALGORITHM = "Ed25519";
    /** Longest header line taken (the real one is about 170 bytes). */
    static final int MAX_HEADER = 512;
    /** Largest envelope taken: the header line and a bundle of at most 1 MiB. */
    public static final int MAX_ENVELOPE = BundleDocument.MAX_BYTES + MAX_HEADER + 1;
    private static final Pattern HEADER = Pattern.compile(
            Pattern.quote(MAGIC) + " alg=([A-Za-z0-9]{1,16}) key=([0-9a-f]{32}) sig=([A-Za-z0-9+/]{1,200}={0,2})");

    private final String keyId;
    private final byte[] signature;
    private final byte[] body;

    private SignedBundle(String keyId, byte[] signature, byte[] body) {
        this.keyId = keyId;
        this.signature = signature;
        this.body = body;
    }

    /** True when {@code bytes} starts with the envelope's magic (then it must parse, or it is refused). */
    public static boolean isEnvelope(byte[] bytes) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        return bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }

    /** Parses the envelope; {@link Reason#UNSIGNED} without one, {@link Reason#BAD_ENVELOPE} for a malformed one. */
    public static SignedBundle parse(byte[] bytes) throws BundleRefusedException {
        if (!isEnvelope(bytes)) throw new BundleRefusedException(Reason.UNSIGNED, "the bundle carries no signature ('meterlink provision sign')");
        int nl = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER + 1); i++) {
            if (bytes[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) throw new BundleRefusedException(Reason.BAD_ENVELOPE, "the signature header line is missing its end or longer than " + MAX_HEADER + " bytes");
        Matcher m = HEADER.matcher(new String(bytes, 0, nl, StandardCharsets.US_ASCII));
        if (!m.matches()) throw new BundleRefusedException(Reason.BAD_ENVELOPE, "malformed signature header; expected '" + MAGIC + " alg=Ed25519 key=<32 hex> sig=<base64>'");
        if (!ALGORITHM.equals(m.group(1))) throw new BundleRefusedException(Reason.BAD_ENVELOPE, "unsupported signature algorithm; only " + ALGORITHM);
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(m.group(3));
        } catch (IllegalArgumentException e) {
            throw new BundleRefusedException(Reason.BAD_ENVELOPE, "the signature is not valid base64");
        }
        return new SignedBundle(m.group(2), sig, Arrays.copyOfRange(bytes, nl + 1, bytes.length));
    }

    /** The key id the envelope names. */
    public String keyId() { return keyId; }

    /** The signed bundle bytes (only meaningful after {@link #verify}). */
    public byte[] body() { return body.clone(); }

    /** Checks the signature with {@code pinned}; {@link Reason#BAD_SIGNATURE} when it names another key or does not verify. */
    public byte[] verify(PublicKey pinned) throws BundleRefusedException {
        if (!keyId.equals(keyId(pinned))) {
            throw new BundleRefusedException(Reason.BAD_SIGNATURE, "signed with key " + keyId + ", but this gateway trusts key " + keyId(pinned));
        }
        try {
            Signature v = Signature.getInstance(ALGORITHM);
            v.initVerify(pinned);
            v.update(body);
            if (v.verify(signature)) return body.clone();
        } catch (InvalidKeyException e) {
            throw new BundleRefusedException(Reason.BAD_SIGNATURE, "the pinned key is not an " + ALGORITHM + " key");
        } catch (GeneralSecurityException e) {
            // a malformed signature value: same answer as a wrong one
        }
        throw new BundleRefusedException(Reason.BAD_SIGNATURE, "the signature does not verify with key " + keyId);
    }

    /** The envelope around {@code bundle}, signed with {@code key} (whose public part is {@code pub}). */
    public static byte[] sign(byte[] bundle, PrivateKey key, PublicKey pub) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(bundle);
        String header = MAGIC + " alg=" + ALGORITHM + " key=" + keyId(pub) + " sig=" + Base64.getEncoder().encodeToString(s.sign()) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + bundle.length);
        System.arraycopy(bundle, 0, out, h.length, bundle.length);
        return out;
    }

    /** A new Ed25519 key pair for signing bundles. */
    public static KeyPair generate() throws NoSuchAlgorithmException {
        return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    }

    /** First 16 bytes of SHA-256 over the SubjectPublicKeyInfo, hex. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** An Ed25519 public key from its SubjectPublicKeyInfo DER. */
    public static PublicKey publicKey(byte[] spki) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
    }

    /** An Ed25519 private key from its PKCS#8 DER. */
    public static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }
}
