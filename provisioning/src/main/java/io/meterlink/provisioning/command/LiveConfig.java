package io.meterlink.provisioning.command;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Makes an applied bundle's configuration take effect in the running gateway without a restart: the
 * sources whose settings changed (a fingerprint of each source's entry in the configuration file, and of
 * the schedules it may name) are stopped and started again, removed ones stopped, new ones started, and
 * the others keep running ({@link Gateway#reconfigure}). What only a restart can change (buffer, state
 * directory, topic prefix) is reported ({@link Gateway#restartNeededFor}). Whether the uplink's
 * connection settings changed (credentials, client id, protocol; URL and CA are {@code ApplyResult}'s)
 * is reported for the caller's trial. Fingerprints are SHA-256 digests: no meter key is held here.
 * Thread-safe (applies are serialised).
 */
final class LiveConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    /** What one apply did. */
    record Outcome(Gateway.Reconfigured sources, List<String> restartFor, boolean connectionChanged) {
    }

    private final GatewayRuntime gateway;
    private final DriverRegistry drivers;
    private Map<String, String> running;

    LiveConfig(GatewayRuntime gateway, DriverRegistry drivers) {
        this.gateway = gateway;
        this.drivers = drivers;
        Path source = gateway.config().source();
        Map<String, String> fp;
        try {
            fp = source == null ? Map.of() : fingerprints(source);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read the running configuration {} ({}): every source counts as changed at the next bundle",
                    source, e.getClass().getSimpleName());
            fp = Map.of();
        }
        this.running = fp;
    }

    /** Applies the configuration in {@code configFile} (already validated by the bundle service) to the running gateway. */
    synchronized Outcome apply(Path configFile) throws ConfigException, IOException {
        GatewayConfig next = ConfigLoader.load(configFile, drivers);
        Map<String, String> fp = fingerprints(configFile);
        Set<String> changed = new HashSet<>();
        fp.forEach((name, digest) -> {
            if (!digest.equals(running.get(name))) changed.add(name);
        });
        GatewayConfig now = gateway.config();
        List<String> restartFor = gateway.restartNeededFor(next);
        boolean connection = connectionDiffers(now.uplink(), next.uplink());
        // what needs a restart keeps its running value until then; the file holds the new one
        UplinkConfig uplink = now.uplink().topicPrefix().equals(next.uplink().topicPrefix()) ? next.uplink() : now.uplink();
        GatewayConfig merged = new GatewayConfig(next.source(), now.gatewayId(), now.stateDir(), now.buffer(), uplink,
                next.sources(), next.sections());
        Gateway.Reconfigured r = gateway.reconfigure(merged, changed);
        running = fp;
        return new Outcome(r, restartFor, connection);
    }

    /** True when the connection settings other than URL and CA differ: user name, password, client id, protocol, certificate files. */
    static boolean connectionDiffers(UplinkConfig a, UplinkConfig b) {
        return !Objects.equals(a.url(), b.url())
                || a.protocol() != b.protocol()
                || !Objects.equals(a.clientId(), b.clientId())
                || !a.username().equals(b.username())
                || !a.certFile().equals(b.certFile())
                || !a.keyFile().equals(b.keyFile())
                || !a.caFile().equals(b.caFile())
                || !samePassword(a, b);
    }

    private static boolean samePassword(UplinkConfig a, UplinkConfig b) {
        if (a.password().isEmpty() || b.password().isEmpty()) return a.password().isEmpty() == b.password().isEmpty();
        char[] x = a.password().get().reveal();
        char[] y = b.password().get().reveal();
        try {
            return Arrays.equals(x, y);
        } finally {
            Arrays.fill(x, '\0');
            Arrays.fill(y, '\0');
        }
    }

    /** Source name → SHA-256 of its entry (and of all schedules, which an entry may name). */
    static Map<String, String> fingerprints(Path configFile) throws IOException {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(configFile, StandardCharsets.UTF_8));
        Map<String, String> out = new HashMap<>();
        if (!(doc instanceof Map<?, ?> root)) return out;
        String schedules = String.valueOf(root.get("schedules"));
        if (root.get("sources") instanceof List<?> sources) {
            for (Object s : sources) {
                if (s instanceof Map<?, ?> m && m.get("name") != null) {
                    out.put(String.valueOf(m.get("name")), sha256(m + "\n" + schedules));
                }
            }
        }
        return out;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
