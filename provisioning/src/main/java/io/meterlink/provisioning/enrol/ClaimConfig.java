package io.meterlink.provisioning.enrol;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.api.config.YamlSettings;

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
public record ClaimConfig(Path file, String claimId, UplinkConfig broker, Optional<Path> issuerCaFile, Duration timeout) {

    /** The claim id that would collide with the renewal topics. */
    static final String RESERVED = "renew";

    public static final ConfigKey<String> CLAIM_ID = ConfigKey.required("claim_id",
            "the claim (ACL) id: letters, digits, '_', '.', '-'; not \"renew\"");
    public static final ConfigKey<Settings> BROKER = ConfigKey.section("broker",
            "connection settings, as the configuration's uplink section (client id default `<gateway id>-enrol`)");
    public static final ConfigKey<Optional<Path>> ISSUER_CA_FILE = ConfigKey.path("issuer_ca_file",
            "the CA that issues gateway certificates").defaultDescribed("the bundle's pinned CA, else `broker.tls.ca_file`");
    public static final ConfigKey<Duration> TIMEOUT = ConfigKey.duration("timeout", Duration.ofSeconds(60), Duration.ofSeconds(1),
            Duration.ofMinutes(30), "how long to wait for the certificate, per attempt");
    /** The claim file's keys (its {@code broker} section has the keys of {@code UplinkKeys}). */
    public static final KeyGroup KEYS = KeyGroup.of("claim", "", CLAIM_ID, BROKER, ISSUER_CA_FILE, TIMEOUT);

    /** Reads and validates {@code file}; every error (file, line, key) is in the exception. */
    public static ClaimConfig load(Path file) throws ConfigException {
        YamlSettings root = YamlSettings.load(file);
        if (!root.errors().isEmpty()) throw new ConfigException(List.copyOf(root.errors()));
        String claimId = root.get(CLAIM_ID);
        if (claimId != null && (!GatewayConfig.ID.matcher(claimId).matches() || RESERVED.equals(claimId))) {
            root.error(CLAIM_ID, "must be 1 to 64 letters, digits, '_', '.' or '-' (an MQTT topic level), and not '" + RESERVED + "'");
        }
        Settings brokerSection = root.get(BROKER);
        UplinkConfig broker = root.has(BROKER) ? UplinkConfig.bind(brokerSection, "meterlink-enrol") : null;
        if (!root.has(BROKER)) root.error(BROKER, "required section is missing");
        Optional<Path> issuer = root.get(ISSUER_CA_FILE);
        Duration timeout = root.get(TIMEOUT);
        root.finish();
        if (!root.errors().isEmpty() || broker == null) throw new ConfigException(new ArrayList<ConfigError>(root.errors()));
        return new ClaimConfig(file, claimId, broker, issuer, timeout);
    }
}
