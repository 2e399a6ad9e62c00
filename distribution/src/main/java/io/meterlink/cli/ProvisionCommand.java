package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.provisioning.bundle.ApplyResult;
import io.meterlink.provisioning.bundle.BundleException;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.bundle.SigningKeyPin;
import io.meterlink.provisioning.identity.CertificateInstaller;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.InitResult;
import io.meterlink.provisioning.identity.InstalledCertificate;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code meterlink provision …}: the gateway's identity, certificate and configuration bundles, run
 * on the gateway by a technician (as the service user, so that the files belong to it). Exit 2 for a
 * refused input (bad certificate, bad bundle, old version), 3 when the state directory cannot be
 * written. Never prints a secret, except the technician secret once at {@code init}.
 */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = "Provision this gateway: identity, certificate, configuration bundles.",
        subcommands = {ProvisionCommand.Init.class, ProvisionCommand.Csr.class, ProvisionCommand.InstallCert.class,
                ProvisionCommand.Apply.class, ProvisionCommand.Rollback.class, ProvisionOpenCommand.class,
                ProvisionEnrolCommand.class, ProvisionSignCommand.Keygen.class, ProvisionSignCommand.Sign.class,
                ProvisionSignCommand.SignCommand.class})
final class ProvisionCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** {@code --state-dir}, shared by every subcommand. */
    static final class StateDirOption {
        @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/meterlink",
                description = "the gateway's state directory (default: ${DEFAULT-VALUE})")
        Path stateDir;

        StateDir get() { return new StateDir(stateDir); }

        /** {@code " --state-dir DIR"} to repeat in a hint, or nothing for the default directory. */
        String argument() {
            return get().equals(StateDir.defaultDir()) ? "" : " --state-dir " + get().root();
        }

        IdentityStore identities() { return new IdentityStore(get(), new SecureRandom()); }
    }

    /** Prints a refusal or failure and returns its exit code. */
    static int fail(ProvisioningException e, PrintWriter err) {
        if (e instanceof BundleException b) {
            for (ConfigError error : b.errors()) err.println(error);
            err.println(b.errors().size() + (b.errors().size() == 1 ? " error" : " errors") + " in the bundle; nothing was changed");
        } else {
            err.println("meterlink: " + e.getMessage());
        }
        err.flush();
        return e.kind().badInput() ? Main.USAGE : Main.FAILURE;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Generate this gateway's key pair (EC P-256, never leaves the device) and its technician secret.",
                    "The technician secret is printed once, for the device label."})
    static final class Init implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin StateDirOption state;
        @Option(names = "--gateway-id", required = true, paramLabel = "ID", description = "the gateway's id (the certificate's CN)")
        String gatewayId;
        @Option(names = "--force", description = "replace an existing identity (its certificate stops working)")
        boolean force;
        @Option(names = "--bundle-signing-key", paramLabel = "FILE.pem",
                description = "pin the utility's bundle-signing public key (Ed25519, from 'provision keygen'); without it, only unsigned bundles from this shell")
        Path signingKey;

        @Override public Integer call() {
            try {
                java.security.PublicKey key = null;
                if (signingKey != null) key = ProvisionSignCommand.readPublicKey(signingKey);
                InitResult r = state.identities().init(gatewayId, force);
                PrintWriter out = spec.commandLine().getOut();
                if (key != null) {
                    SigningKeyPin pin = new SigningKeyPin(state.get());
                    pin.pin(key);
                    out.println("Bundle-signing key " + SignedBundle.keyId(key) + " pinned in " + pin.file());
                }
                out.println("Gateway " + r.identity().gatewayId() + ": key pair created in " + state.get().identityDir()
                        + (r.replaced() ? " (the previous identity was replaced)" : ""));
                out.println("Technician secret (write it on the device label; it is not shown again): "
                        + r.technicianSecret().reveal());
                out.println("Next: meterlink provision csr" + state.argument() + " > " + r.identity().gatewayId() + ".csr");
                out.flush();
                return Main.OK;
            } catch (ProvisioningException e) {
                return fail(e, spec.commandLine().getErr());
            }
        }
    }

    @Command(name = "csr", mixinStandardHelpOptions = true,
            description = "Write a PKCS#10 certificate signing request (PEM, CN = gateway id) to standard output.")
    static final class Csr implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin StateDirOption state;

        @Override public Integer call() {
            try {
                spec.commandLine().getOut().print(state.identities().load().csrPem());
                spec.commandLine().getOut().flush();
                return Main.OK;
            } catch (ProvisioningException e) {
                return fail(e, spec.commandLine().getErr());
            }
        }
    }

    @Command(name = "install-cert", mixinStandardHelpOptions = true,
            description = {"Install this gateway's certificate once checked against our key, our id and the pinned utility CA.",
                    "It must hold our public key, name this gateway, be within its validity and chain to the pinned CA.",
                    "The previous one is kept as gateway.pem.prev."})
    static final class InstallCert implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin StateDirOption state;
        @Parameters(index = "0", paramLabel = "CERT", description = "the certificate (PEM), optionally followed by intermediates")
        Path cert;
        @Parameters(index = "1", arity = "0..1", paramLabel = "CHAIN", description = "intermediate CA certificates (PEM)")
        Path chain;
        @Option(names = "--ca", paramLabel = "CAFILE", description = "trust anchors (PEM); default: the CA pinned by the applied bundle")
        Path ca;

        @Override public Integer call() {
            try {
                InstalledCertificate r = new CertificateInstaller(state.identities(), Clock.systemUTC())
                        .install(cert, Optional.ofNullable(chain), Optional.ofNullable(ca));
                PrintWriter out = spec.commandLine().getOut();
                out.println("Installed " + r.file() + ": " + r.subject() + ", issued by " + r.issuer() + ", valid until " + r.notAfter());
                out.println("SHA-256 " + r.sha256() + (r.previousKept() ? "; previous certificate kept as " + r.file() + SecureFiles.PREVIOUS : ""));
                out.flush();
                return Main.OK;
            } catch (ProvisioningException e) {
                return fail(e, spec.commandLine().getErr());
            }
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Check a signed configuration bundle (or, with --allow-unsigned, a plain one) completely.",
                    "Then make it the active configuration atomically; the previous one is kept for 'rollback'.",
                    "Refuses a version not above the highest accepted one, or more than 1000 above it."})
    static final class Apply implements Callable<Integer> {
        private final Services services;
        @Spec CommandSpec spec;
        @Mixin StateDirOption state;
        @Parameters(paramLabel = "BUNDLE", description = "the bundle (YAML or JSON); - for standard input")
        String bundle;
        @Option(names = "--config", paramLabel = "FILE",
                description = "also make FILE (e.g. /etc/meterlink/meterlink.yaml) a link to the applied configuration")
        Path config;
        @Option(names = "--allow-unsigned",
                description = "take a bundle without a signature (only here, at the device shell; the guard rails still apply)")
        boolean allowUnsigned;

        Apply(Services services) { this.services = services; }

        @Override public Integer call() {
            try {
                byte[] bytes = read(bundle);
                StateDir dir = state.get();
                ApplyResult r = new BundleService(dir, state.identities(), services.drivers(), Clock.systemUTC())
                        .apply(bundle.equals("-") ? "(stdin)" : bundle, bytes, allowUnsigned);
                if (config != null) linkConfig(config, dir.configFile());
                report(spec.commandLine().getOut(), "Applied bundle version " + r.version(), r);
                return Main.OK;
            } catch (ProvisioningException e) {
                return fail(e, spec.commandLine().getErr());
            }
        }

        private static byte[] read(String name) throws ProvisioningException {
            try (InputStream in = name.equals("-") ? System.in : Files.newInputStream(Path.of(name))) {
                return in.readNBytes(SignedBundle.MAX_ENVELOPE + 1);
            } catch (IOException | RuntimeException e) {
                throw new ProvisioningException(Kind.INVALID_INPUT, "cannot read the bundle " + name + ": " + e.getClass().getSimpleName(), e);
            }
        }

        /** Points {@code link} at the state directory's configuration; a regular file there is kept as {@code .prev}. */
        private static void linkConfig(Path link, Path target) throws ProvisioningException {
            try {
                if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) return;
                if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(link)) {
                    Files.move(link, link.resolveSibling(link.getFileName() + SecureFiles.PREVIOUS), StandardCopyOption.REPLACE_EXISTING);
                }
                if (link.toAbsolutePath().getParent() != null) Files.createDirectories(link.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new ProvisioningException(Kind.STORAGE, "applied, but cannot link " + link + " to " + target, e);
            }
            SecureFiles.relink(link, target);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make the configuration bundle applied before the current one active again.")
    static final class Rollback implements Callable<Integer> {
        private final Services services;
        @Spec CommandSpec spec;
        @Mixin StateDirOption state;

        Rollback(Services services) { this.services = services; }

        @Override public Integer call() {
            try {
                ApplyResult r = new BundleService(state.get(), state.identities(), services.drivers(), Clock.systemUTC()).rollback();
                report(spec.commandLine().getOut(), "Rolled back from bundle version " + r.previousVersion() + " to " + r.version(), r);
                return Main.OK;
            } catch (ProvisioningException e) {
                return fail(e, spec.commandLine().getErr());
            }
        }
    }

    private static void report(PrintWriter out, String headline, ApplyResult r) {
        out.println(headline + (r.sources() >= 0 ? " (" + r.sources() + " source" + (r.sources() == 1 ? "" : "s") + ")" : ""));
        out.println("Configuration: " + r.configFile());
        out.println("Pinned CA:     " + r.caFile());
        out.println("Restart the gateway to use it: systemctl restart meterlink");
        out.flush();
    }
}
