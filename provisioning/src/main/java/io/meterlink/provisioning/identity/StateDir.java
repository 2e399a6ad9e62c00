package io.meterlink.provisioning.identity;

import io.meterlink.core.config.GatewayConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where provisioning keeps its files under the state directory (default {@code /var/lib/meterlink}).
 * Every directory is 0700 and every file 0600 (see {@code SecureFiles}).
 *
 * <pre>
 * identity/gateway-id        the gateway id given to {@code provision init}
 * identity/gateway.key       EC P-256 private key, PKCS#8 PEM; never leaves the device
 * identity/gateway.pub       its public key, SubjectPublicKeyInfo PEM
 * identity/technician.psk    the technician secret (DTLS PSK of the local endpoint)
 * tls/gateway.pem            the installed certificate (+ intermediates), gateway.pem.prev the one before
 * config -> bundles/v7       symbolic link to the active bundle generation
 * config.prev -> bundles/v6  the generation {@code provision rollback} returns to
 * bundles/vN/meterlink.yaml  the gateway configuration generated from bundle N (holds meter keys)
 * bundles/vN/ca.pem          the pinned utility CA certificate(s) from bundle N
 * bundles/vN/bundle.yaml     the bundle as received
 * </pre>
 *
 * Immutable; thread-safe.
 *
 * @param root the state directory, absolute
 */
public record StateDir(Path root) {
    public StateDir {
        Objects.requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    public static StateDir defaultDir() {
        return new StateDir(GatewayConfig.DEFAULT_STATE_DIR);
    }

    public Path identityDir() { return root.resolve("identity"); }

    public Path gatewayIdFile() { return identityDir().resolve("gateway-id"); }

    public Path privateKeyFile() { return identityDir().resolve("gateway.key"); }

    public Path publicKeyFile() { return identityDir().resolve("gateway.pub"); }

    public Path technicianSecretFile() { return identityDir().resolve("technician.psk"); }

    public Path tlsDir() { return root.resolve("tls"); }

    public Path certificateFile() { return tlsDir().resolve("gateway.pem"); }

    /** Symbolic link to the active bundle generation. */
    public Path configLink() { return root.resolve("config"); }

    /** Symbolic link to the generation before it, if any. */
    public Path previousConfigLink() { return root.resolve("config.prev"); }

    public Path bundlesDir() { return root.resolve("bundles"); }

    /** The active gateway configuration ({@code meterlink run --config} this file). */
    public Path configFile() { return configLink().resolve(CONFIG_NAME); }

    /** The pinned utility CA certificate(s) of the active bundle. */
    public Path caFile() { return configLink().resolve(CA_NAME); }

    public static final String CONFIG_NAME = "meterlink.yaml";
    public static final String CA_NAME = "ca.pem";
    public static final String BUNDLE_NAME = "bundle.yaml";
}
