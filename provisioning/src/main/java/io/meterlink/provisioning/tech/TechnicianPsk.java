package io.meterlink.provisioning.tech;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The per-device technician pre-shared key (DTLS PSK, RFC 4279). The key bytes are the UTF-8 bytes
 * of the secret as printed on the gateway's label (surrounding white space removed), so that any
 * CoAP client that takes the key as text (libcoap's {@code coap-client -k}) works as well.
 *
 * <p>{@link #toString()} never shows the key. Immutable; {@link #key()} returns a copy.
 */
public final class TechnicianPsk {
    /** Shortest secret accepted (a label secret is far longer; this stops an empty or trivial file). */
    public static final int MIN_LENGTH = 12;

    private final String identity;
    private final byte[] key;

    private TechnicianPsk(String identity, byte[] key) {
        this.identity = Objects.requireNonNull(identity, "identity");
        if (identity.isBlank()) throw new IllegalArgumentException("PSK identity is blank");
        if (key.length < MIN_LENGTH) throw new IllegalArgumentException("technician secret is shorter than " + MIN_LENGTH + " bytes");
        this.key = key;
    }

    /** A PSK from the label text. */
    public static TechnicianPsk of(String identity, char[] secretText) {
        String s = new String(secretText).strip();
        return new TechnicianPsk(identity, s.getBytes(StandardCharsets.UTF_8));
    }

    /** The PSK of the secret that {@code provision init} generated and stored in the state directory. */
    public static TechnicianPsk of(String identity, io.meterlink.provisioning.secret.TechnicianSecret secret) {
        return new TechnicianPsk(identity, secret.pskBytes());
    }

    /** Reads the secret text from a file (first line, trimmed). The file's content is never put in an error message. */
    public static TechnicianPsk fromFile(String identity, Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        try {
            String text = new String(raw, StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            if (nl >= 0) text = text.substring(0, nl).strip();
            if (text.length() < MIN_LENGTH) throw new IOException(file + ": technician secret missing or shorter than " + MIN_LENGTH + " characters");
            return new TechnicianPsk(identity, text.getBytes(StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    public String identity() { return identity; }

    /** A copy of the key bytes; hand only to the DTLS library. */
    public byte[] key() { return key.clone(); }

    @Override public String toString() { return "TechnicianPsk[identity=" + identity + ", key=******]"; }
}
