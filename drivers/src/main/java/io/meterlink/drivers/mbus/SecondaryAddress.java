package io.meterlink.drivers.mbus;

import java.util.Locale;

/**
 * A secondary address selection mask (EN 13757-3 §11 / EN 13757-2 Annex: SND_UD with CI 52 to
 * address 253): identification number with per-digit wildcards (F), manufacturer, version and
 * medium, each of the last three a wildcard when absent. Immutable; validated on construction.
 *
 * @param id           8 characters, digits or {@code F} (wildcard digit)
 * @param manufacturer three letters, or {@code null} for any
 * @param version      0–255, or -1 for any
 * @param medium       0–255, or -1 for any
 */
public record SecondaryAddress(String id, String manufacturer, int version, int medium) {
    public SecondaryAddress {
        id = id.toUpperCase(Locale.ROOT).replace('*', 'F');
        if (!id.matches("[0-9F]{8}")) throw new IllegalArgumentException("secondary id must be 8 digits, F or * as wildcards, got '" + id + "'");
        if (manufacturer != null) {
            manufacturer = manufacturer.toUpperCase(Locale.ROOT);
            if (!manufacturer.matches("[A-Z]{3}")) throw new IllegalArgumentException("manufacturer must be 3 letters, got '" + manufacturer + "'");
        }
        if (version < -1 || version > 255) throw new IllegalArgumentException("version must be 0..255");
        if (medium < -1 || medium > 255) throw new IllegalArgumentException("medium must be 0..255");
    }

    /** Parses {@code "12345678"} or {@code "1234****"}; the other fields are wildcards. */
    public static SecondaryAddress ofId(String id) { return new SecondaryAddress(id, null, -1, -1); }

    /** The 8 bytes after CI 52: id (BCD, LSB first), manufacturer (LSB first), version, medium; FF / FFFF for wildcards. */
    public byte[] toBytes() {
        byte[] b = new byte[8];
        for (int i = 0; i < 4; i++) b[i] = (byte) Integer.parseInt(id.substring(6 - 2 * i, 8 - 2 * i), 16);
        int man = manufacturer == null ? 0xFFFF
                : (manufacturer.charAt(0) - 64) << 10 | (manufacturer.charAt(1) - 64) << 5 | (manufacturer.charAt(2) - 64);
        b[4] = (byte) man;
        b[5] = (byte) (man >> 8);
        b[6] = (byte) (version < 0 ? 0xFF : version);
        b[7] = (byte) (medium < 0 ? 0xFF : medium);
        return b;
    }

    /** True when the header of an answer fits this mask. */
    public boolean matches(MbusHeader h) {
        if (h.id() == null || h.id().length() != 8) return false;
        for (int i = 0; i < 8; i++) {
            char want = id.charAt(i);
            if (want != 'F' && want != h.id().charAt(i)) return false;
        }
        return (manufacturer == null || manufacturer.equals(h.manufacturer()))
                && (version < 0 || version == h.version()) && (medium < 0 || medium == h.medium());
    }

    @Override public String toString() {
        return "secondary " + id + (manufacturer == null ? "" : " " + manufacturer)
                + (version < 0 ? "" : " v" + version) + (medium < 0 ? "" : " medium " + medium);
    }
}
