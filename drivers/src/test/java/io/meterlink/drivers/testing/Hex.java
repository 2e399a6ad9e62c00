package io.meterlink.drivers.testing;

import java.util.HexFormat;

/** Hex helpers for frame fixtures. */
public final class Hex {
    private Hex() {}

    /** Parses {@code "68 03 03 68 …"} (spaces optional). */
    public static byte[] bytes(String hex) { return HexFormat.of().parseHex(hex.replaceAll("\\s+", "")); }
}
