package io.meterlink.provisioning.enrol;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.config.YamlSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The claim configuration ({@code /etc/meterlink/claim.yaml}): how a gateway without a certificate
 * reaches the utility's provisioning service. The same file serves a whole batch of gateways; the
 * broker's ACL confines its credential to {@code <prefix>/provisioning/<claim_id>/#}.
 *
 * <pre>
 * claim_id: batch-2026-11          # the claim (ACL) id; letters, digits, '_', '.', '-'; not "renew"
 * broker:                          # as the configuration's uplink section
 *   url: ssl://mqtt.utility.example:8883
 *   topic_prefix: meterlink/v1
 *   tls: {ca_file: /etc/meterlink/utility-ca.pem, cert_file: /etc/meterlink/claim.pem, key_file: /etc/meterlink/claim.key}
 *   # or username/password for a password claim credential
 * issuer_ca_file: /etc/meterlink/issuing-ca.pem   # optional: the CA that issues gateway certificates
 *                                  # (default: the bundle's pinned CA, else broker.tls.ca_file)
 * timeout: 60s                     # optional: how long to wait for the certificate
 * </pre>
 *
 * Immutable; thread-safe. {@code broker.password} is held as a {@code Secret}.
 *
 * @param file         where it was read from
 * @param claimId      the claim id
 * @param broker       connection settings (client id default {@code <gateway id>-enrol})
 * @param issuerCaFile optional trust anchors for the issued certificate
 * @param timeout      how long to wait for the certificate, per attempt
 */
@SuppressWarnings("deprecation") // the claim file's keys are not declared as ConfigKeys yet
public record ClaimConfig(Path file, String claimId, UplinkConfig broker, Optional<Path> issuerCaFile, Duration timeout) {

    /** The claim id that would collide with the renewal topics. */
    static final String RESERVED = "renew";

    /** Reads and validates {@code file}; every error (file, line, key) is in the exception. */
    public static ClaimConfig load(Path file) throws ConfigException {
        YamlSettings root = YamlSettings.load(file);
        if (!root.errors().isEmpty()) throw new ConfigException(List.copyOf(root.errors()));
        String claimId = root.requiredString("claim_id");
        if (claimId != null && (!GatewayConfig.ID.matcher(claimId).matches() || RESERVED.equals(claimId))) {
            root.error("claim_id", "must be 1 to 64 letters, digits, '_', '.' or '-' (an MQTT topic level), and not '" + RESERVED + "'");
        }
        Settings brokerSection = root.section("broker");
        UplinkConfig broker = root.has("broker") ? UplinkConfig.bind(brokerSection, "meterlink-enrol") : null;
        if (!root.has("broker")) root.error("broker", "required section is missing");
        Optional<Path> issuer = root.path("issuer_ca_file");
        Duration timeout = root.duration("timeout", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(30));
        root.finish();
        if (!root.errors().isEmpty() || broker == null) throw new ConfigException(new ArrayList<ConfigError>(root.errors()));
        return new ClaimConfig(file, claimId, broker, issuer, timeout);
    }
}
