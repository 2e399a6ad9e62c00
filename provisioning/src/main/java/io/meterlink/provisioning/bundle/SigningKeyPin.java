package io.meterlink.provisioning.bundle;

import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Optional;

/**
 * The utility's bundle-signing public key pinned on this gateway: {@code identity/bundle-signing.pub}
 * (SubjectPublicKeyInfo PEM, Ed25519, 0600 like every file of the state directory). Pinned by
 * {@code meterlink provision init --bundle-signing-key FILE}; replaced afterwards only by a bundle
 * signed with the current key (its {@code signing_key}), the key before kept as {@code .prev}.
 * Thread-safe for reading.
 */
public final class SigningKeyPin {
    public static final String FILE_NAME = "bundle-signing.pub";
    private final Path file;

    public SigningKeyPin(StateDir dir) {
        this.file = dir.identityDir().resolve(FILE_NAME);
    }

    public Path file() { return file; }

    /** The pinned key, if any; {@link Kind#STORAGE} when the file is there but unreadable or not an Ed25519 key. */
    public Optional<PublicKey> load() throws ProvisioningException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new IOException("not a regular file");
            return Optional.of(parse(Files.readString(file, StandardCharsets.US_ASCII)));
        } catch (IOException | ProvisioningException e) {
            throw new ProvisioningException(Kind.STORAGE, "the pinned bundle-signing key " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Pins {@code key}, replacing (and keeping as {@code .prev}) any key pinned before. */
    public void pin(PublicKey key) throws ProvisioningException {
        SecureFiles.privateDirectory(file.getParent());
        SecureFiles.replace(file, pem(key).getBytes(StandardCharsets.US_ASCII), true);
    }

    /** The {@code PUBLIC KEY} PEM of {@code key}. */
    public static String pem(PublicKey key) {
        return Pem.encode("PUBLIC KEY", key.getEncoded());
    }

    /** The first {@code PUBLIC KEY} block of {@code text} as an Ed25519 key; {@link Kind#INVALID_INPUT} otherwise. */
    public static PublicKey parse(String text) throws ProvisioningException {
        byte[] der;
        try {
            der = Pem.decodeFirst(text, "PUBLIC KEY");
        } catch (IllegalArgumentException e) {
            der = null;
        }
        if (der == null) throw new ProvisioningException(Kind.INVALID_INPUT, "no PEM 'PUBLIC KEY' block found");
        try {
            return SignedBundle.publicKey(der);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "not an " + SignedBundle.ALGORITHM + " public key ('meterlink provision keygen' makes one)");
        }
    }
}
