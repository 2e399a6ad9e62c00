package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;

import java.util.HexFormat;
import java.util.List;

/**
 * One data record of the variable data structure (EN 13757-3 §6): its data information block
 * (DIF + DIFEs), value information block (VIF + VIFEs), what they mean and the decoded value.
 * Immutable.
 *
 * @param dib       DIF and DIFE bytes as hex, e.g. {@code 84 10} → {@code "8410"}
 * @param vib       VIF and VIFE bytes as hex
 * @param function  DIF function field
 * @param storage   storage number from DIF bit 6 and the DIFE chain
 * @param tariff    tariff from the DIFE chain (0 without DIFE)
 * @param subunit   sub-unit (device) from the DIFE chain (0 without DIFE)
 * @param coding    DIF data field coding
 * @param meaning   what the VIB says (multiplicative correction VIFEs already applied)
 * @param modifiers combinable VIFEs that change what the value means (e.g. {@code per hour},
 *                  {@code accumulation only if positive}), in frame order; empty for a plain value
 * @param error     record error code from a VIFE E000xxxx (EN 13757-3 §6.4.8), or {@code null}
 * @param value     decoded value
 */
public record MbusRecord(String dib, String vib, MeasurementFunction function, long storage, int tariff, int subunit,
                         DataFieldCoding coding, VifMeaning meaning, List<String> modifiers, String error, MbusValue value) {

    public MbusRecord {
        modifiers = List.copyOf(modifiers);
    }

    /**
     * True when this record becomes a {@link io.meterlink.core.api.Reading}: a number of a Reading
     * quantity, no modifier that changes its meaning, no record error.
     */
    public boolean isReading() {
        return meaning.kind() == VifMeaning.Kind.NUMERIC && meaning.quantity() != null && value instanceof MbusValue.Numeric
                && modifiers.isEmpty() && (error == null || "none".equals(error)) && storage <= Integer.MAX_VALUE;
    }

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    /** DIBs and VIBs are mostly one or two bytes: their hex text is made once (racy fill of immutable strings is safe). */
    private static final String[] HEX1 = new String[256];
    private static final String[] HEX2 = new String[65536];

    static String hex(byte[] b, int from, int to) {
        if (to - from == 1) {
            int k = b[from] & 0xFF;
            String s = HEX1[k];
            if (s == null) HEX1[k] = s = HEX.formatHex(b, from, to);
            return s;
        }
        if (to - from == 2) {
            int k = (b[from] & 0xFF) << 8 | (b[from + 1] & 0xFF);
            String s = HEX2[k];
            if (s == null) HEX2[k] = s = HEX.formatHex(b, from, to);
            return s;
        }
        return HEX.formatHex(b, from, to);
    }
}
