package io.meterlink.provisioning.update;

import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The A/B software releases of a gateway ({@code <state>/releases}, docs/fleet.md): one directory per
 * version holding {@code meterlink.jar}, and the symbolic link {@code current} the launcher starts
 * ({@code /usr/bin/meterlink}). A new version is installed completely (written, fsync'd, renamed into
 * place) before {@code current} is switched to it (a new link renamed over the old one), so at every
 * instant {@code current} names a whole, runnable release. The switch is preceded by the marker
 * {@code pending} ({@code version=…}, {@code previous=…}): until the new version confirms its health
 * ({@link #confirm}) the launcher and {@link UpdateGuard} can return to {@code previous}. Files are
 * written with {@link SecureFiles} (0600, directories 0700: the service user's). Thread-safe for
 * one process (operations are serialised).
 */
public final class Releases {
    public static final String CURRENT = "current";
    public static final String PENDING = "pending";
    /** Written by the launcher when it starts a pending version; a second start with it present rolls back. */
    public static final String STARTED = "pending.started";
    /** The last update that was rolled back: {@code version=…}, {@code previous=…}, {@code reason=…}. */
    public static final String FAILED = "failed";
    /** The last update confirmed healthy: {@code version=…}, {@code previous=…}. */
    public static final String CONFIRMED = "confirmed";
    public static final String JAR = "meterlink.jar";
    /** What a release version may look like (a directory name: no slash, no dot-dot). */
    public static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+~_-]{0,63}");

    /** The marker of an update on trial. */
    public record Pending(String version, String previous) {
    }

    private final Path root;

    public Releases(Path root) {
        this.root = root;
    }

    /** {@code <stateDir>/releases}. */
    public static Releases of(Path stateDir) {
        return new Releases(stateDir.resolve("releases"));
    }

    public Path root() { return root; }

    /** The version {@code current} names, if the gateway runs from releases. */
    public synchronized Optional<String> current() {
        Path link = root.resolve(CURRENT);
        try {
            if (!Files.isSymbolicLink(link)) return Optional.empty();
            return Optional.of(Files.readSymbolicLink(link).getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The jar of {@code version}. */
    public Path jar(String version) {
        return root.resolve(version).resolve(JAR);
    }

    /**
     * Installs {@code jar} as release {@code version} (a copy; fsync'd; the directory renamed into place).
     * The running release is never overwritten.
     */
    public synchronized void install(String version, Path jar) throws ProvisioningException {
        check(version);
        if (current().filter(version::equals).isPresent()) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "version " + version + " is the running release");
        }
        try {
            SecureFiles.privateDirectory(root);
            Path staging = root.resolve(".install-" + version);
            SecureFiles.deleteTree(staging);
            SecureFiles.privateDirectory(staging);
            Files.copy(jar, staging.resolve(JAR));
            SecureFiles.fsync(staging.resolve(JAR));
            SecureFiles.fsyncDirectory(staging);
            Path target = root.resolve(version);
            SecureFiles.deleteTree(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            SecureFiles.fsyncDirectory(root);
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot install release " + version + " under " + root + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Makes the installed {@code version} current, on trial: writes {@code pending} (naming the release
     * to return to) first, then switches the link. A crash between the two leaves the old release current
     * and a stale marker, which {@link #pending} ignores.
     */
    public synchronized Pending activate(String version) throws ProvisioningException {
        check(version);
        if (!Files.isRegularFile(jar(version))) throw new ProvisioningException(Kind.INVALID_INPUT, "release " + version + " is not installed");
        String previous = current().orElseThrow(() -> new ProvisioningException(Kind.INVALID_INPUT,
                "this gateway does not run from " + root.resolve(CURRENT) + " (installed by the package): no update is possible"));
        write(PENDING, Map.of("version", version, "previous", previous));
        delete(STARTED);
        SecureFiles.relink(root.resolve(CURRENT), Path.of(version));
        return new Pending(version, previous);
    }

    /** The update on trial: the marker is there and {@code current} names its version. */
    public synchronized Optional<Pending> pending() {
        Map<String, String> m = read(PENDING);
        if (m.isEmpty()) return Optional.empty();
        Optional<String> cur = current();
        if (cur.isEmpty() || !cur.get().equals(m.get("version"))) return Optional.empty();
        return Optional.of(new Pending(m.get("version"), m.get("previous")));
    }

    /** The new release proved healthy: the marker goes, the release before it stays as the one to return to by hand. */
    public synchronized void confirm(Pending p) throws ProvisioningException {
        write(CONFIRMED, Map.of("version", p.version(), "previous", p.previous()));
        delete(FAILED);
        delete(STARTED);
        delete(PENDING);
        prune(p.version(), p.previous());
    }

    /** Back to {@code previous}: the link first, then the report in {@code failed}, then the marker goes. */
    public synchronized void rollback(Pending p, String reason) throws ProvisioningException {
        SecureFiles.relink(root.resolve(CURRENT), Path.of(p.previous()));
        write(FAILED, Map.of("version", p.version(), "previous", p.previous(), "reason", reason.replaceAll("[\\r\\n=]", " ")));
        delete(STARTED);
        delete(PENDING);
    }

    /** The last rolled-back update ({@code version}, {@code previous}, {@code reason}); empty when none. */
    public synchronized Map<String, String> failed() { return read(FAILED); }

    /** The last confirmed update; empty when none. */
    public synchronized Map<String, String> confirmed() { return read(CONFIRMED); }

    /** Deletes releases other than {@code keep}. */
    private void prune(String... keep) {
        try (var children = Files.list(root)) {
            for (Path p : (Iterable<Path>) children::iterator) {
                String n = p.getFileName().toString();
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || n.startsWith(".")) continue;
                if (java.util.Arrays.asList(keep).contains(n)) continue;
                SecureFiles.deleteTree(p);
            }
        } catch (IOException e) {
            // old releases stay; the next confirmed update tries again
        }
    }

    /** Lowercase hex SHA-256 of {@code file} (an update package's manifest). */
    public static String sha256(Path file) throws IOException {
        return UpdateDownload.sha256(file);
    }

    static void check(String version) throws ProvisioningException {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "a release version is 1-64 letters, digits and . + ~ _ -");
        }
    }

    private void write(String name, Map<String, String> values) throws ProvisioningException {
        StringBuilder sb = new StringBuilder();
        new LinkedHashMap<>(values).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        SecureFiles.privateDirectory(root);
        SecureFiles.replace(root.resolve(name), sb.toString().getBytes(StandardCharsets.UTF_8), false);
    }

    private Map<String, String> read(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(root.resolve(name), StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    private void delete(String name) throws ProvisioningException {
        try {
            Files.deleteIfExists(root.resolve(name));
            SecureFiles.fsyncDirectory(root);
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot remove " + root.resolve(name), e);
        }
    }
}
