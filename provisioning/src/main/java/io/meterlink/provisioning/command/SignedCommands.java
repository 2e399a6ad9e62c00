package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.provisioning.bundle.BundleRefusedException;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.bundle.SigningKeyPin;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.SecureFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;

/**
 * Checks command bodies. A command that changes anything must arrive in the bundles' signed envelope
 * ({@link SignedBundle}: same header, Ed25519, the pinned key of {@link SigningKeyPin}) around a JSON body
 *
 * <pre>
 * {"command":"log-level","gateway_id":"gw-0001","seq":17,"args":{"level":"debug","seconds":300}}
 * </pre>
 *
 * {@code command} must be the topic's command (a signed {@code log-level} cannot be replayed as a
 * {@code restart}), {@code gateway_id} this gateway, and {@code seq} above the highest ever accepted
 * ({@code bundles/command-seq}, written and fsync'd before the command runs, so a replay is refused
 * even after a crash) and at most {@link #MAX_SEQ_STEP} above it. A read-only command may also come as
 * plain JSON (its args) or empty. Thread-safe (checks are serialised).
 */
public final class SignedCommands {
    static final String SEQ_NAME = "command-seq";
    /** Largest step of {@code seq} above the highest accepted one (a huge seq cannot lock out later commands). */
    static final long MAX_SEQ_STEP = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest body taken for a command other than an update chunk. */
    static final int MAX_PLAIN = 64 * 1024;

    private final StateDir dir;
    private final String gatewayId;
    private final SigningKeyPin pin;

    SignedCommands(StateDir dir, String gatewayId) {
        this.dir = dir;
        this.gatewayId = gatewayId;
        this.pin = new SigningKeyPin(dir);
    }

    private Path seqFile() { return dir.bundlesDir().resolve(SEQ_NAME); }

    /** The checked body: the signed JSON (whole) when signed, else the plain args wrapped as {@code {"args":…}}. */
    synchronized JsonNode check(String cmd, byte[] payload, boolean signatureRequired) throws CommandRefusedException {
        if (!SignedBundle.isEnvelope(payload)) {
            if (signatureRequired) {
                throw new CommandRefusedException("unsigned", "'" + cmd + "' changes the gateway and must be signed by the utility");
            }
            if (payload.length > MAX_PLAIN) throw new CommandRefusedException("too_large", "a plain command body is at most " + MAX_PLAIN + " bytes");
            JsonNode args = payload.length == 0 ? JSON.createObjectNode() : parse(payload);
            if (!args.isObject()) throw new CommandRefusedException("bad_arguments", "the body must be a JSON object");
            return JSON.createObjectNode().set("args", args);
        }
        byte[] body;
        try {
            Optional<PublicKey> key = pin.load();
            if (key.isEmpty()) throw new CommandRefusedException("no_signing_key", "this gateway has no pinned signing key");
            body = SignedBundle.parse(payload).verify(key.get());
        } catch (BundleRefusedException e) {
            throw new CommandRefusedException(e.reason().code(), e.getMessage());
        } catch (ProvisioningException e) {
            throw new CommandRefusedException("storage", e.getMessage());
        }
        JsonNode doc = parse(body);
        if (!cmd.equals(doc.path("command").asText())) {
            throw new CommandRefusedException("wrong_command", "the signed body is for another command");
        }
        if (!gatewayId.equals(doc.path("gateway_id").asText())) {
            throw new CommandRefusedException("wrong_gateway", "the signed command is for another gateway, this one is '" + gatewayId + "'");
        }
        JsonNode seqNode = doc.path("seq");
        if (!seqNode.canConvertToLong() || !seqNode.isIntegralNumber() || seqNode.asLong() < 1) {
            throw new CommandRefusedException("bad_arguments", "a signed command needs a positive integer 'seq'");
        }
        long seq = seqNode.asLong();
        long highest = highest();
        if (seq <= highest) throw new CommandRefusedException("replayed", "command seq " + seq + " is not above the highest accepted " + highest);
        if (seq - highest > MAX_SEQ_STEP) throw new CommandRefusedException("version_jump", "command seq " + seq + " is more than " + MAX_SEQ_STEP + " above " + highest);
        try {
            SecureFiles.privateDirectory(dir.bundlesDir());
            SecureFiles.replace(seqFile(), Long.toString(seq).getBytes(StandardCharsets.US_ASCII), false);
        } catch (ProvisioningException e) {
            throw new CommandRefusedException("storage", "cannot record the command seq: " + e.getMessage());
        }
        if (!doc.path("args").isMissingNode() && !doc.path("args").isObject()) {
            throw new CommandRefusedException("bad_arguments", "'args' must be a JSON object");
        }
        return doc;
    }

    /** Highest command seq accepted so far (0 before the first). */
    synchronized long highest() throws CommandRefusedException {
        Path f = seqFile();
        if (!Files.exists(f)) return 0;
        try {
            return Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            throw new CommandRefusedException("storage", "cannot read " + f.getFileName() + ": " + e.getClass().getSimpleName());
        }
    }

    private static JsonNode parse(byte[] body) throws CommandRefusedException {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new CommandRefusedException("bad_arguments", "the body must be a JSON object");
            return n;
        } catch (IOException e) {
            throw new CommandRefusedException("bad_arguments", "the body is not JSON");
        }
    }

    /** The signed envelope of a command (utility side: {@code meterlink provision sign-command}, tests). */
    public static byte[] sign(String cmd, String gatewayId, long seq, JsonNode args, java.security.KeyPair key) throws java.security.GeneralSecurityException {
        var doc = JSON.createObjectNode();
        doc.put("command", cmd);
        doc.put("gateway_id", gatewayId);
        doc.put("seq", seq);
        doc.set("args", args == null ? JSON.createObjectNode() : args);
        try {
            return SignedBundle.sign(JSON.writeValueAsBytes(doc), key.getPrivate(), key.getPublic());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
