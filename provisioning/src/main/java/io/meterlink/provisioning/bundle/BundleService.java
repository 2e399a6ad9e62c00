package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies configuration bundles (see {@link BundleDocument} for the format) to a {@link StateDir}.
 * The entry point for the CLI ({@code meterlink provision apply}), an authenticated MQTT command and
 * the CoAPs technician endpoint alike.
 *
 * <p>{@link #apply} validates everything before it writes anything: the bundle's own keys, its CA
 * certificates, and the gateway configuration it turns into, bound by {@link ConfigLoader} with the
 * installed drivers. It refuses a version that is not newer than the installed one. A bundle becomes
 * a generation directory {@code bundles/vN} (files 0600, directory 0700, fsync'd), and the symbolic
 * link {@code config} is switched to it atomically (rename); {@code config.prev} keeps the generation
 * before it for {@link #rollback}. A crash leaves either the old or the new generation active.
 *
 * <p>Errors and results never contain meter keys, passwords or other values from the bundle.
 * Thread-safe: applies and rollbacks are serialised.
 */
public final class BundleService {
    private static final Logger LOG = LoggerFactory.getLogger(BundleService.class);
    private static final Pattern GENERATION = Pattern.compile("v(\\d{1,19})");

    private final StateDir dir;
    private final IdentityStore identities;
    private final DriverRegistry drivers;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public BundleService(StateDir dir, IdentityStore identities, DriverRegistry drivers, Clock clock) {
        this.dir = dir;
        this.identities = identities;
        this.drivers = drivers;
        this.clock = clock;
    }

    /** Version of the active bundle, if one was applied. */
    public synchronized OptionalLong installedVersion() throws ProvisioningException {
        return generation(dir.configLink());
    }

    /** {@link #apply(String, byte[])} with the name {@code bundle} in errors. */
    public ApplyResult apply(byte[] bundle) throws ProvisioningException {
        return apply("bundle", bundle);
    }

    /**
     * Validates and applies {@code bundle}. Throws {@link BundleException} (every problem, with
     * {@code name}, line and key) when the content is bad, {@link Kind#BUNDLE_NOT_NEWER} for an old
     * version, {@link Kind#STORAGE} when writing fails; in each case the installed configuration is
     * untouched.
     */
    public synchronized ApplyResult apply(String name, byte[] bundle) throws ProvisioningException {
        BundleDocument doc = BundleDocument.parse(name, bundle, clock.instant());
        if (!doc.errors().isEmpty()) throw new BundleException(doc.errors());
        String gatewayId = gatewayId(doc, name);

        OptionalLong installed = installedVersion();
        if (installed.isPresent() && doc.version() <= installed.getAsLong()) {
            throw new ProvisioningException(Kind.BUNDLE_NOT_NEWER, name + ": bundle version " + doc.version()
                    + " is not newer than the installed version " + installed.getAsLong());
        }

        SecureFiles.privateDirectory(dir.root());
        SecureFiles.privateDirectory(dir.bundlesDir());
        Path staging = dir.bundlesDir().resolve(".staging-" + HexFormat.of().formatHex(bytes()));
        try {
            SecureFiles.privateDirectory(staging);
            String yaml = doc.toConfigYaml(gatewayId, dir.root(), dir.caFile(), dir.certificateFile(), dir.privateKeyFile());
            if (!doc.errors().isEmpty()) throw new BundleException(doc.errors());
            Path config = staging.resolve(StateDir.CONFIG_NAME);
            SecureFiles.create(config, yaml.getBytes(StandardCharsets.UTF_8));
            SecureFiles.create(staging.resolve(StateDir.CA_NAME), doc.caPem().getBytes(StandardCharsets.US_ASCII));
            SecureFiles.create(staging.resolve(StateDir.BUNDLE_NAME), bundle);
            GatewayConfig bound = validate(doc, config);
            for (String f : new String[] {StateDir.CONFIG_NAME, StateDir.CA_NAME, StateDir.BUNDLE_NAME}) {
                SecureFiles.fsync(staging.resolve(f));
            }
            SecureFiles.fsyncDirectory(staging);

            Path generation = dir.bundlesDir().resolve("v" + doc.version());
            SecureFiles.deleteTree(generation); // an unreferenced leftover (e.g. rolled back from)
            Files.move(staging, generation, StandardCopyOption.ATOMIC_MOVE);
            SecureFiles.fsyncDirectory(dir.bundlesDir());

            Optional<Path> current = target(dir.configLink());
            if (current.isPresent()) SecureFiles.relink(dir.previousConfigLink(), current.get());
            SecureFiles.relink(dir.configLink(), dir.root().relativize(generation));
            pruneGenerations();
            ApplyResult result = new ApplyResult(doc.version(), installed.orElse(0), dir.configFile(), dir.caFile(), bound.sources().size());
            LOG.info("Applied configuration bundle version {} (was {}): {} source(s), configuration {}", result.version(),
                    installed.isPresent() ? installed.getAsLong() : "none", result.sources(), result.configFile());
            return result;
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot install the bundle under " + dir.bundlesDir() + ": "
                    + e.getClass().getSimpleName(), e);
        } finally {
            try {
                SecureFiles.deleteTree(staging);
            } catch (IOException e) {
                LOG.warn("Cannot remove the staging directory {}: {}", staging, e.getClass().getSimpleName());
            }
        }
    }

    /** Makes the previous generation active again; {@link Kind#NOTHING_TO_ROLL_BACK} when there is none. */
    public synchronized ApplyResult rollback() throws ProvisioningException {
        Optional<Path> previous = target(dir.previousConfigLink());
        OptionalLong from = installedVersion();
        OptionalLong to = generation(dir.previousConfigLink());
        if (previous.isEmpty() || to.isEmpty() || !Files.isDirectory(dir.root().resolve(previous.get()))) {
            throw new ProvisioningException(Kind.NOTHING_TO_ROLL_BACK, "no previous configuration to roll back to in " + dir.root());
        }
        SecureFiles.relink(dir.configLink(), previous.get());
        try {
            Files.delete(dir.previousConfigLink());
            SecureFiles.fsyncDirectory(dir.root());
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "rolled back, but cannot remove " + dir.previousConfigLink(), e);
        }
        int sources;
        try {
            sources = ConfigLoader.load(dir.configFile(), drivers).sources().size();
        } catch (ConfigException e) {
            sources = -1; // drivers changed since: 'meterlink config validate' tells more
        }
        LOG.info("Rolled back the configuration from bundle version {} to {}", from.orElse(0), to.getAsLong());
        return new ApplyResult(to.getAsLong(), from.orElse(0), dir.configFile(), dir.caFile(), sources);
    }

    private String gatewayId(BundleDocument doc, String name) throws ProvisioningException {
        String ours = identities.exists() ? identities.load().gatewayId() : null;
        if (ours != null && doc.gatewayId() != null && !ours.equals(doc.gatewayId())) {
            throw new BundleException(List.of(new ConfigError(name, doc.lineOf("gateway_id"), "gateway_id",
                    "this bundle is for gateway '" + doc.gatewayId() + "', this gateway is '" + ours + "'")));
        }
        if (ours == null && doc.gatewayId() == null) {
            throw new BundleException(List.of(new ConfigError(name, 0, "gateway_id",
                    "required: this gateway has no identity yet ('meterlink provision init')")));
        }
        return ours != null ? ours : doc.gatewayId();
    }

    private GatewayConfig validate(BundleDocument doc, Path config) throws BundleException {
        try {
            return new ConfigLoader(drivers).read(config);
        } catch (ConfigException e) {
            List<ConfigError> out = new ArrayList<>();
            for (ConfigError err : e.errors()) out.add(doc.translate(err));
            throw new BundleException(out);
        }
    }

    /** Deletes generations that neither {@code config} nor {@code config.prev} points to. */
    private void pruneGenerations() {
        Optional<Path> keep1 = target(dir.configLink()).map(p -> dir.root().resolve(p).normalize());
        Optional<Path> keep2 = target(dir.previousConfigLink()).map(p -> dir.root().resolve(p).normalize());
        try (var children = Files.list(dir.bundlesDir())) {
            for (Path g : (Iterable<Path>) children::iterator) {
                Path n = g.normalize();
                if (!GENERATION.matcher(g.getFileName().toString()).matches()) continue;
                if (keep1.map(n::equals).orElse(false) || keep2.map(n::equals).orElse(false)) continue;
                SecureFiles.deleteTree(g);
            }
        } catch (IOException e) {
            LOG.warn("Cannot remove old bundle generations in {}: {}", dir.bundlesDir(), e.getClass().getSimpleName());
        }
    }

    private static Optional<Path> target(Path link) {
        try {
            if (!Files.isSymbolicLink(link)) return Optional.empty();
            return Optional.of(Files.readSymbolicLink(link));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private OptionalLong generation(Path link) throws ProvisioningException {
        if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(link)) {
            throw new ProvisioningException(Kind.STORAGE, link + " is not a link to a bundle generation; move it away");
        }
        Optional<Path> t = target(link);
        if (t.isEmpty()) return OptionalLong.empty();
        Matcher m = GENERATION.matcher(t.get().getFileName().toString());
        if (!m.matches()) throw new ProvisioningException(Kind.STORAGE, link + " points at " + t.get() + ", not a bundle generation");
        return OptionalLong.of(Long.parseLong(m.group(1)));
    }

    private byte[] bytes() {
        byte[] b = new byte[6];
        random.nextBytes(b);
        return b;
    }
}
