package io.meterlink.drivers.mbus;

import java.math.BigDecimal;

/**
 * The VIF extension tables reached through VIF FB and FD (EN 13757-3 §6.4.3 Tables 12 and 14) and
 * the combinable (orthogonal) VIFE table (§6.4.5 Table 15). This first version decodes only the
 * correction factors of the combinable table; everything else is reported as
 * {@link VifMeaning.Kind#UNSUPPORTED} so the record is kept raw while the rest of the telegram is
 * still decoded (the complete tables are issue 3). Pure and thread-safe.
 */
public final class ExtensionVifTables {
    private ExtensionVifTables() {}

    /** Meaning of a VIFE after VIF FB (EN 13757-3 Table 14). */
    public static VifMeaning lookupFb(int vife) {
        return VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, String.format("VIF FB %02X", vife & 0xFF));
    }

    /** Meaning of a VIFE after VIF FD (EN 13757-3 Table 12). */
    public static VifMeaning lookupFd(int vife) {
        return VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, String.format("VIF FD %02X", vife & 0xFF));
    }

    /**
     * Applies one combinable VIFE to a primary meaning (EN 13757-3 Table 15). Only the multiplicative
     * correction factors are applied; any other VIFE changes what the value means (per time unit,
     * limits, error states…) and so makes the record unsupported rather than wrong.
     */
    public static VifMeaning combine(VifMeaning base, int vife) {
        int e = vife & 0x7F;
        if (base.kind() != VifMeaning.Kind.NUMERIC) return base;
        if (e >= 0x70 && e <= 0x77) { // E111 0nnn multiplicative correction factor 10^(nnn-6)
            return base.times(BigDecimal.ONE.scaleByPowerOfTen((e & 0x07) - 6), "×10^" + ((e & 0x07) - 6));
        }
        if (e == 0x7D) { // E111 1101 multiplicative correction factor 10^3
            return base.times(BigDecimal.valueOf(1000), "×10^3");
        }
        return VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, base.description() + String.format(" with VIFE %02X", vife & 0xFF));
    }
}
