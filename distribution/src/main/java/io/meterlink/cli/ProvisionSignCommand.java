package io.meterlink.cli;

import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.bundle.SigningKeyPin;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The utility's side of signed bundles, run on an offline signing machine, never on a gateway:
 * {@code provision keygen} makes the Ed25519 key pair, {@code provision sign} wraps a bundle in the
 * signed envelope ({@link SignedBundle}). The private key file is written 0600 and never printed.
 */
final class ProvisionSignCommand {
    private ProvisionSignCommand() {
    }

    /** An Ed25519 public key from a PEM file ({@code PUBLIC KEY}); exit 2 when it is not one. */
    static PublicKey readPublicKey(Path file) throws ProvisioningException {
        try {
            return SigningKeyPin.parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "cannot read " + file + ": " + e.getClass().getSimpleName(), e);
        } catch (ProvisioningException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, file + ": " + e.getMessage(), e);
        }
    }

    /** The key pair of a {@code provision keygen} .key file; exit 2 when it is not a matching Ed25519 pair. */
    static KeyPair keyPair(Path keyFile) throws ProvisioningException {
        String text;
        try {
            text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, "cannot read " + keyFile + ": " + e.getClass().getSimpleName(), e);
        }
        PublicKey pub = SigningKeyPin.parse(text);
        byte[] der = Pem.decodeFirst(text, "PRIVATE KEY");
        if (der == null) throw new ProvisioningException(Kind.INVALID_INPUT, keyFile + ": no 'PRIVATE KEY' block (use the .key file from 'provision keygen')");
        try {
            PrivateKey priv = SignedBundle.privateKey(der);
            // the public key in the file must be this private key's: check by verifying our own signature
            SignedBundle.parse(SignedBundle.sign(new byte[] {1}, priv, pub)).verify(pub);
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException | ProvisioningException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, keyFile + ": not a matching Ed25519 key pair");
        }
    }

    /** Writes a signed envelope to {@code output} or standard output, and names the key on standard error. */
    static int write(CommandSpec spec, byte[] signed, Path output, PublicKey pub) throws IOException {
        if (output != null) {
            Files.write(output, signed);
        } else {
            OutputStream out = System.out;
            out.write(signed);
            out.flush();
        }
        spec.commandLine().getErr().println("Signed with key " + SignedBundle.keyId(pub) + (output != null ? ": " + output : ""));
        spec.commandLine().getErr().flush();
        return Main.OK;
    }

    /** Makes the signed bytes with the key pair; a {@link GeneralSecurityException} means the pair does not match. */
    @FunctionalInterface
    interface Signer {
        byte[] sign(KeyPair kp) throws GeneralSecurityException;
    }

    /** The options of every signing command: the key file, and where the signed bytes go. */
    static final class SigningOptions {
        @Option(names = "--key", required = true, paramLabel = "FILE.key", description = "the signing key file from 'provision keygen'")
        Path keyFile;
        @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write here instead of standard output")
        Path output;
    }

    /** Signs with the key pair of the {@code --key} file and writes the result ({@link #write}). */
    static int signAndWrite(CommandSpec spec, SigningOptions signing, Signer signer) throws ProvisioningException, IOException {
        Path keyFile = signing.keyFile;
        KeyPair kp = keyPair(keyFile);
        byte[] signed;
        try {
            signed = signer.sign(kp);
        } catch (GeneralSecurityException e) {
            throw new ProvisioningException(Kind.INVALID_INPUT, keyFile + ": not a matching Ed25519 key pair");
        }
        return write(spec, signed, signing.output, kp.getPublic());
    }

    /** The body of a command, which may fail on bad input or on I/O. */
    @FunctionalInterface
    interface Work {
        int call() throws ProvisioningException, IOException, GeneralSecurityException;
    }

    /**
     * Runs {@code work}: bad input exits as {@link ProvisionCommand#fail} says; an I/O or crypto failure prints
     * {@code meterlink: } and {@code message} of it on standard error and exits {@link Main#FAILURE}.
     */
    static int run(CommandSpec spec, Function<Exception, String> message, Work work) {
        try {
            return work.call();
        } catch (ProvisioningException e) {
            return ProvisionCommand.fail(e, spec.commandLine().getErr());
        } catch (IOException | GeneralSecurityException e) {
            spec.commandLine().getErr().println("meterlink: " + message.apply(e));
            spec.commandLine().getErr().flush();
            return Main.FAILURE;
        }
    }

    @Command(name = "sign-command", mixinStandardHelpOptions = true,
            description = {"Utility side: sign a remote command for one gateway (docs/fleet.md) with the key from 'provision keygen'.",
                    "NAME is the command (log-level, restart, update, …); SEQ must be above the last seq the gateway accepted.",
                    "For 'update', --jar makes the signed manifest (version, SHA-256, size) of the package; send the jar in chunks after it."})
    static final class SignCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "the command")
        String name;
        @Option(names = "--gateway", required = true, paramLabel = "ID", description = "the gateway it is for")
        String gateway;
        @Option(names = "--seq", required = true, paramLabel = "N", description = "its sequence number (replay protection)")
        long seq;
        @Option(names = "--args", paramLabel = "JSON", description = "the command's arguments as a JSON object, e.g. '{\"level\":\"debug\",\"seconds\":300}'")
        String args;
        @Option(names = "--jar", paramLabel = "JAR", description = "update: the package (meterlink.jar of the new release)")
        Path jar;
        @Option(names = "--release", paramLabel = "VERSION", description = "update: the release version the package becomes")
        String release;
        @Option(names = "--url", paramLabel = "URL", description = "update: an https:// URL the gateway fetches the package from (server certificate from the utility CA)")
        String url;
        @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "262144", description = "update: bytes per MQTT chunk (default: ${DEFAULT-VALUE})")
        int chunkSize;
        @Mixin SigningOptions signing;

        @Override public Integer call() {
            return run(spec, e -> e.getClass().getSimpleName() + ": " + e.getMessage(), () -> {
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                com.fasterxml.jackson.databind.node.ObjectNode a;
                try {
                    var parsed = args == null ? json.createObjectNode() : json.readTree(args);
                    if (!parsed.isObject()) throw new IOException("not an object");
                    a = (com.fasterxml.jackson.databind.node.ObjectNode) parsed;
                } catch (IOException e) {
                    throw new ProvisioningException(Kind.INVALID_INPUT, "--args must be a JSON object");
                }
                if (jar != null) {
                    if (release == null) throw new ProvisioningException(Kind.INVALID_INPUT, "--jar needs --release VERSION");
                    a.put("version", release);
                    a.put("sha256", io.meterlink.provisioning.update.Releases.sha256(jar));
                    a.put("size", Files.size(jar));
                    a.put("chunk_size", chunkSize);
                    if (url != null) a.put("url", url);
                }
                return signAndWrite(spec, signing, kp -> io.meterlink.provisioning.command.SignedCommands.sign(name, gateway, seq, a, kp));
            });
        }
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Utility side: make a bundle-signing key pair (Ed25519).",
                    "Writes NAME.key (private and public key, PEM, 0600: keep it offline).",
                    "Writes NAME.pub (the public key to pin with 'provision init --bundle-signing-key')."})
    static final class Keygen implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME", description = "path and base name of the two files, e.g. /media/offline/utility-bundles")
        Path name;
        @Option(names = "--force", description = "replace existing files")
        boolean force;

        @Override public Integer call() {
            Path key = name.resolveSibling(name.getFileName() + ".key");
            Path pub = name.resolveSibling(name.getFileName() + ".pub");
            return run(spec, e -> "cannot make the key pair: " + e.getClass().getSimpleName(), () -> {
                if (!force && (Files.exists(key, LinkOption.NOFOLLOW_LINKS) || Files.exists(pub, LinkOption.NOFOLLOW_LINKS))) {
                    throw new ProvisioningException(Kind.INVALID_INPUT, key + " or " + pub + " exists; use --force to replace");
                }
                KeyPair kp = SignedBundle.generate();
                String pubPem = SigningKeyPin.pem(kp.getPublic());
                SecureFiles.replace(key, (Pem.encode("PRIVATE KEY", kp.getPrivate().getEncoded()) + pubPem).getBytes(StandardCharsets.US_ASCII), false);
                SecureFiles.replace(pub, pubPem.getBytes(StandardCharsets.US_ASCII), false);
                Files.setPosixFilePermissions(pub, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                PrintWriter out = spec.commandLine().getOut();
                out.println("Bundle-signing key " + SignedBundle.keyId(kp.getPublic()) + ": private " + key + " (0600, keep offline), public " + pub);
                out.flush();
                return Main.OK;
            });
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Utility side: sign a bundle with the key from 'provision keygen'.",
                    "Writes the signed bundle (a header line, then the bundle's exact bytes) to OUT or standard output.",
                    "The result is what 'cmd/apply-bundle', POST /bundle and 'provision apply' take."})
    static final class Sign implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle (YAML or JSON); - for standard input")
        String bundle;
        @Mixin SigningOptions signing;

        @Override public Integer call() {
            return run(spec, e -> "cannot write the signed bundle: " + e.getClass().getSimpleName(), () -> {
                byte[] body;
                try (InputStream in = bundle.equals("-") ? System.in : Files.newInputStream(Path.of(bundle))) {
                    body = in.readNBytes(1024 * 1024 + 1);
                } catch (IOException e) {
                    throw new ProvisioningException(Kind.INVALID_INPUT, "cannot read the bundle " + bundle + ": " + e.getClass().getSimpleName(), e);
                }
                if (body.length > 1024 * 1024) throw new ProvisioningException(Kind.INVALID_INPUT, "the bundle is larger than 1024 KiB");
                if (SignedBundle.isEnvelope(body)) throw new ProvisioningException(Kind.INVALID_INPUT, bundle + " is already signed");
                return signAndWrite(spec, signing, kp -> SignedBundle.sign(body, kp.getPrivate(), kp.getPublic()));
            });
        }
    }
}
