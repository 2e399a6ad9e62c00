package io.meterlink.provisioning.secret;

import io.meterlink.provisioning.secret.ProvisioningException.Kind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The per-device technician secret: the DTLS pre-shared key of the local CoAPs endpoint (RFC 4279
 * PSK). 128 random bits written as 26 characters of RFC 4648 base32 (A–Z, 2–7, no padding), printed
 * once at {@code provision init} for the device label. The PSK bytes are the US-ASCII bytes of that
 * text, so a technician's tool (e.g. {@code coap-client-openssl -k}) takes the label as typed.
 *
 * <p>{@link #toString()} never reveals it. Immutable; thread-safe.
 */
public final class TechnicianSecret {
    /** Entropy of a generated secret. */
    public static final int BITS = 128;
    /** Length of the text form. */
    public static final int LENGTH = 26;
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final byte[] text; // US-ASCII

    private TechnicianSecret(byte[] text) {
        this.text = text;
    }

    /** A fresh secret from {@code random}. */
    public static TechnicianSecret generate(SecureRandom random) {
        byte[] raw = new byte[BITS / 8];
        random.nextBytes(raw);
        byte[] out = new byte[LENGTH];
        int buffer = 0, bits = 0, n = 0;
        for (byte b : raw) {
            buffer = buffer << 8 | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out[n++] = (byte) BASE32[(buffer >>> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0) out[n++] = (byte) BASE32[(buffer << (5 - bits)) & 31];
        Arrays.fill(raw, (byte) 0);
        return new TechnicianSecret(out);
    }

    /** Reads the secret stored by {@link #store(Path)}. */
    public static TechnicianSecret load(Path file) throws ProvisioningException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ProvisioningException(Kind.NOT_INITIALISED, "no technician secret at " + file + ": run 'meterlink provision init' first");
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot read the technician secret " + file + ": " + e.getClass().getSimpleName(), e);
        }
        int end = content.length;
        while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) end--;
        byte[] text = Arrays.copyOf(content, end);
        Arrays.fill(content, (byte) 0);
        if (text.length != LENGTH || !isBase32(text)) {
            throw new ProvisioningException(Kind.STORAGE, "the technician secret file " + file + " is damaged");
        }
        return new TechnicianSecret(text);
    }

    /** Writes the secret atomically, mode 0600. */
    public void store(Path file) throws ProvisioningException {
        byte[] line = Arrays.copyOf(text, text.length + 1);
        line[text.length] = '\n';
        SecureFiles.replace(file, line, false);
        Arrays.fill(line, (byte) 0);
    }

    /** The pre-shared key bytes for DTLS (a copy; clear it after use). */
    public byte[] pskBytes() {
        return text.clone();
    }

    /** Constant-time comparison with a key offered by a peer. */
    public boolean matches(byte[] candidate) {
        return candidate != null && MessageDigest.isEqual(text, candidate);
    }

    /** The text form, for the one line that prints it for the label. Never log it. */
    public String reveal() {
        return new String(text, StandardCharsets.US_ASCII);
    }

    private static boolean isBase32(byte[] text) {
        for (byte b : text) {
            if (!((b >= 'A' && b <= 'Z') || (b >= '2' && b <= '7'))) return false;
        }
        return true;
    }

    @Override public String toString() { return "******"; }

    @Override public boolean equals(Object o) {
        return o instanceof TechnicianSecret t && MessageDigest.isEqual(t.text, text);
    }

    @Override public int hashCode() { return Arrays.hashCode(text); }
}
