package io.meterlink.provisioning.identity;

import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import io.meterlink.provisioning.secret.TechnicianSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Creates and reads the gateway's identity (key pair, gateway id) and technician secret in a
 * {@link StateDir}. The key pair is generated on the device (EC P-256, FIPS 186-4 curve secp256r1)
 * and the private key is written PKCS#8 PEM, mode 0600, in a 0700 directory.
 *
 * <p>Thread-safe for reading; {@link #init} is meant to be run once, by one process.
 */
public final class IdentityStore {
    private static final Logger LOG = LoggerFactory.getLogger(IdentityStore.class);

    private final StateDir dir;
    private final SecureRandom random;

    public IdentityStore(StateDir dir, SecureRandom random) {
        this.dir = dir;
        this.random = random;
    }

    public StateDir stateDir() { return dir; }

    /** True when any part of an identity is present (a complete one, or the remains of an interrupted init). */
    public boolean exists() {
        return Files.exists(dir.privateKeyFile()) || Files.exists(dir.gatewayIdFile());
    }

    /**
     * Generates a new key pair and technician secret for {@code gatewayId}. Refuses when an identity
     * exists unless {@code force}; with {@code force} the old installed certificate (which no longer
     * matches) is moved aside to {@code gateway.pem.prev}.
     */
    public InitResult init(String gatewayId, boolean force) throws ProvisioningException {
        if (gatewayId == null || !GatewayConfig.ID.matcher(gatewayId).matches()) {
            throw new ProvisioningException(Kind.INVALID_INPUT,
                    "invalid gateway id: 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        boolean replaced = exists();
        if (replaced && !force) {
            throw new ProvisioningException(Kind.ALREADY_INITIALISED, "this gateway already has an identity in "
                    + dir.identityDir() + "; re-initialising replaces its key (its certificate stops working): use --force");
        }
        SecureFiles.privateDirectory(dir.root());
        SecureFiles.privateDirectory(dir.identityDir());
        KeyPair pair;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            pair = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot generate an EC P-256 key pair: " + e.getClass().getSimpleName(), e);
        }
        TechnicianSecret secret = TechnicianSecret.generate(random);
        // the id goes last: it marks a complete identity
        secret.store(dir.technicianSecretFile());
        SecureFiles.replace(dir.publicKeyFile(), ascii(Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded())), false);
        byte[] keyPem = ascii(Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()));
        SecureFiles.replace(dir.privateKeyFile(), keyPem, false);
        Arrays.fill(keyPem, (byte) 0);
        SecureFiles.replace(dir.gatewayIdFile(), ascii(gatewayId + "\n"), false);
        if (replaced) retireCertificate();
        LOG.info("Created the identity of gateway {} in {}{}", gatewayId, dir.identityDir(), replaced ? " (replacing the previous one)" : "");
        return new InitResult(new DeviceIdentity(gatewayId, pair.getPublic(), pair.getPrivate()), secret, replaced);
    }

    /** Reads the identity; {@link Kind#NOT_INITIALISED} when there is none. */
    public DeviceIdentity load() throws ProvisioningException {
        String id = readText(dir.gatewayIdFile()).strip();
        if (!GatewayConfig.ID.matcher(id).matches()) {
            throw new ProvisioningException(Kind.STORAGE, "the gateway id file " + dir.gatewayIdFile() + " is damaged");
        }
        String keyText = readText(dir.privateKeyFile());
        String pubText = readText(dir.publicKeyFile());
        try {
            KeyFactory kf = KeyFactory.getInstance("EC");
            byte[] der = Pem.decodeFirst(keyText, "PRIVATE KEY");
            if (der == null) throw new ProvisioningException(Kind.STORAGE, "the private key file " + dir.privateKeyFile() + " is damaged");
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
            PrivateKey priv = kf.generatePrivate(spec);
            Arrays.fill(der, (byte) 0);
            byte[] pubDer = Pem.decodeFirst(pubText, "PUBLIC KEY");
            if (pubDer == null) throw new ProvisioningException(Kind.STORAGE, "the public key file " + dir.publicKeyFile() + " is damaged");
            PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(pubDer));
            DeviceIdentity identity = new DeviceIdentity(id, pub, priv);
            if (!identity.holdsPrivateKeyOf(pub)) {
                throw new ProvisioningException(Kind.STORAGE, "the key files in " + dir.identityDir() + " do not belong together");
            }
            return identity;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot read the key in " + dir.identityDir() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** The technician secret (the CoAPs endpoint's DTLS PSK); its PSK identity is set by the endpoint's configuration, {@code technician} by default. */
    public TechnicianSecret technicianSecret() throws ProvisioningException {
        return TechnicianSecret.load(dir.technicianSecretFile());
    }

    private void retireCertificate() throws ProvisioningException {
        Path cert = dir.certificateFile();
        if (!Files.exists(cert, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.move(cert, cert.resolveSibling(cert.getFileName() + SecureFiles.PREVIOUS),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("Moved the certificate of the replaced key aside to {}{}", cert, SecureFiles.PREVIOUS);
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot move the old certificate " + cert + " aside", e);
        }
    }

    private String readText(Path file) throws ProvisioningException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ProvisioningException(Kind.NOT_INITIALISED, "no gateway identity in " + dir.root()
                    + " (" + file.getFileName() + " is missing): run 'meterlink provision init --gateway-id ID' first");
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot read " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
