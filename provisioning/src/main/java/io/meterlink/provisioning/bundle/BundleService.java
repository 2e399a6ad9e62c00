package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.bundle.BundleRefusedException.Reason;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.Pem;
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
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
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
 * <p>{@link #apply} takes a signed bundle ({@link SignedBundle}, verified with the key pinned by
 * {@link SigningKeyPin}) from anywhere, and a plain one only from the device shell. It refuses, with a
 * typed {@link BundleRefusedException}, what no signature makes acceptable (plaintext MQTT,
 * credentials in URLs, paths out of the state directory), other gateways' bundles, versions not above
 * the highest ever accepted ({@code bundles/highest-version}) and jumps of more than
 * {@link #MAX_VERSION_STEP}. It validates everything before it writes anything: the bundle's own keys, its CA
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
    /** Largest step a new bundle version may take above the highest accepted one (a lock-out by a huge version is refused). */
    public static final long MAX_VERSION_STEP = 1000;
    /** {@code bundles/highest-version}: the highest version ever accepted. */
    static final String HIGHEST_NAME = "highest-version";
    /** {@code bundles/trial}: the version whose new broker URL/CA is being tried (see {@code UplinkTrials}). */
    static final String TRIAL_NAME = "trial";

    private final StateDir dir;
    private final IdentityStore identities;
    private final DriverRegistry drivers;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final SigningKeyPin keyPin;

    public BundleService(StateDir dir, IdentityStore identities, DriverRegistry drivers, Clock clock) {
        this.dir = dir;
        this.identities = identities;
        this.drivers = drivers;
        this.clock = clock;
        this.keyPin = new SigningKeyPin(dir);
    }

    /** Version of the active bundle, if one was applied. */
    public synchronized OptionalLong installedVersion() throws ProvisioningException {
        return generation(dir.configLink());
    }

    /** {@link #apply(String, byte[])} with the name {@code bundle} in errors. */
    public ApplyResult apply(byte[] bundle) throws ProvisioningException {
        return apply("bundle", bundle);
    }

    /** {@link #apply(String, byte[], boolean)} requiring a signature: what the MQTT command and the technician endpoint call. */
    public ApplyResult apply(String name, byte[] bundle) throws ProvisioningException {
        return apply(name, bundle, false);
    }

    /**
     * Checks and applies {@code bundle}: a signed envelope ({@link SignedBundle}) must verify with the
     * pinned key ({@link SigningKeyPin}) and name this gateway; a plain bundle is taken only with
     * {@code allowUnsigned} (a person at the device shell). Then, for both: the guard rails
     * ({@link BundleDocument#checkGuardRails}), a version above the highest ever accepted by at most
     * {@link #MAX_VERSION_STEP}, and the full validation. Throws {@link BundleRefusedException} with
     * its typed reason, {@link BundleException} (every problem, with {@code name}, line and key) when
     * the content is bad, {@link Kind#STORAGE} when writing fails; in each case the installed
     * configuration is untouched.
     */
    public synchronized ApplyResult apply(String name, byte[] bundle, boolean allowUnsigned) throws ProvisioningException {
        boolean signed = SignedBundle.isEnvelope(bundle);
        if (!signed && !allowUnsigned) {
            throw new BundleRefusedException(Reason.UNSIGNED, "the bundle carries no signature; sign it with 'meterlink provision sign'");
        }
        if (signed) {
            SignedBundle envelope = SignedBundle.parse(bundle);
            PublicKey pinned = keyPin.load().orElseThrow(() -> new BundleRefusedException(Reason.NO_SIGNING_KEY,
                    "no bundle-signing key is pinned on this gateway ('meterlink provision init --bundle-signing-key')"));
            bundle = envelope.verify(pinned);
        }
        BundleDocument doc = BundleDocument.parse(name, bundle, clock.instant());
        doc.checkGuardRails(dir.root());
        if (!doc.errors().isEmpty()) throw new BundleException(doc.errors());
        String gatewayId = signed ? signedGatewayId(doc) : gatewayId(doc, name);

        OptionalLong installed = installedVersion();
        long highest = Math.max(installed.orElse(0), highestAccepted());
        if (doc.version() <= highest) {
            throw new BundleRefusedException(Reason.REPLAYED, name + ": bundle version " + doc.version()
                    + " is not newer than the highest accepted version " + highest);
        }
        if (doc.version() - highest > MAX_VERSION_STEP) {
            throw new BundleRefusedException(Reason.VERSION_JUMP, name + ": bundle version " + doc.version()
                    + " is more than " + MAX_VERSION_STEP + " above the highest accepted version " + highest);
        }
        boolean uplinkChanged = uplinkDiffers(doc);

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

            // the high-water mark first: a crash after it burns the version, never lets it be replayed
            SecureFiles.replace(highestFile(), Long.toString(doc.version()).getBytes(StandardCharsets.US_ASCII), false);
            Optional<Path> current = target(dir.configLink());
            if (current.isPresent()) SecureFiles.relink(dir.previousConfigLink(), current.get());
            SecureFiles.relink(dir.configLink(), dir.root().relativize(generation));
            pruneGenerations();
            if (doc.signingKey() != null && !doc.signingKey().equals(keyPin.load().orElse(null))) {
                keyPin.pin(doc.signingKey());
                LOG.info("Bundle-signing key rotated to {} by bundle version {}", SignedBundle.keyId(doc.signingKey()), doc.version());
            }
            ApplyResult result = new ApplyResult(doc.version(), installed.orElse(0), dir.configFile(), dir.caFile(),
                    bound.sources().size(), uplinkChanged);
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

    /** Highest bundle version ever accepted here (kept across rollbacks, so a rolled-back bundle cannot come back). */
    public synchronized long highestAccepted() throws ProvisioningException {
        Path f = highestFile();
        if (!Files.exists(f)) return 0;
        try {
            return Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot read " + f + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private Path highestFile() {
        return dir.bundlesDir().resolve(HIGHEST_NAME);
    }

    /** Records that the active bundle {@code version} is on trial ({@code bundles/trial}), so a restart can finish the trial. */
    public synchronized void markTrial(long version) throws ProvisioningException {
        SecureFiles.replace(dir.bundlesDir().resolve(TRIAL_NAME), Long.toString(version).getBytes(StandardCharsets.US_ASCII), false);
    }

    /** The version on trial when the marker is there and that version is still the active one. */
    public synchronized OptionalLong pendingTrial() throws ProvisioningException {
        Path f = dir.bundlesDir().resolve(TRIAL_NAME);
        if (!Files.exists(f)) return OptionalLong.empty();
        try {
            long v = Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
            OptionalLong installed = installedVersion();
            if (installed.isPresent() && installed.getAsLong() == v) return OptionalLong.of(v);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Unreadable trial marker {}: {}", f, e.getClass().getSimpleName());
        }
        clearTrial(); // stale: another version is active now
        return OptionalLong.empty();
    }

    /** Removes the trial marker. */
    public synchronized void clearTrial() {
        try {
            Files.deleteIfExists(dir.bundlesDir().resolve(TRIAL_NAME));
        } catch (IOException e) {
            LOG.warn("Cannot remove the trial marker in {}: {}", dir.bundlesDir(), e.getClass().getSimpleName());
        }
    }

    private String signedGatewayId(BundleDocument doc) throws ProvisioningException {
        if (!identities.exists()) {
            throw new BundleRefusedException(Reason.WRONG_GATEWAY, "this gateway has no identity yet ('meterlink provision init')");
        }
        String ours = identities.load().gatewayId();
        if (doc.gatewayId() == null) {
            throw new BundleRefusedException(Reason.WRONG_GATEWAY, "a signed bundle must name its gateway (gateway_id)");
        }
        if (!ours.equals(doc.gatewayId())) {
            throw new BundleRefusedException(Reason.WRONG_GATEWAY, "the bundle is for gateway '" + doc.gatewayId() + "', this gateway is '" + ours + "'");
        }
        return ours;
    }

    /** True when the bundle's broker URL or CA certificates differ from the active configuration's (or none is active). */
    private boolean uplinkDiffers(BundleDocument doc) {
        try {
            if (!Files.exists(dir.configFile()) || !Files.exists(dir.caFile())) return true;
            String oldCa = Pem.encodeCertificates(Pem.certificates(Files.readString(dir.caFile(), StandardCharsets.US_ASCII)));
            if (!oldCa.equals(doc.caPem())) return true;
            String oldUrl = ConfigLoader.load(dir.configFile(), drivers).uplink().url();
            return !oldUrl.equals(doc.brokerUrl());
        } catch (IOException | CertificateException | ConfigException | RuntimeException e) {
            return true; // what cannot be compared counts as changed: the trial decides
        }
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
