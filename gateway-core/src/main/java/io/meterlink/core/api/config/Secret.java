package io.meterlink.core.api.config;

import java.util.Arrays;

/** A password or key from configuration. Its {@link #toString()} never reveals the value. */
public final class Secret {
    private final char[] value;

    private Secret(char[] value) { this.value = value; }

    public static Secret of(String value) { return new Secret(value.toCharArray()); }

    /** A secret from characters the caller then wipes (it keeps its own copy): no {@link String} of it is made. */
    public static Secret of(char[] value) { return new Secret(value.clone()); }

    /** The secret itself; call only where it is handed to the library that needs it. */
    public char[] reveal() { return value.clone(); }

    /** Hex-decoded bytes (for AES keys given as hex). */
    public byte[] revealHex() {
        String s = new String(value).replace(" ", "");
        if (s.length() % 2 != 0) throw new IllegalArgumentException("hex secret has odd length");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("secret is not hex");
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    @Override public String toString() { return "******"; }
    @Override public boolean equals(Object o) { return o instanceof Secret s && Arrays.equals(s.value, value); }
    @Override public int hashCode() { return Arrays.hashCode(value); }
}
