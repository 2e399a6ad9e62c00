package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;

import java.util.HexFormat;

/**
 * One data record of the variable data structure (EN 13757-3 §6): its data information block
 * (DIF + DIFEs), value information block (VIF + VIFEs), what they mean and the decoded value.
 * Immutable.
 *
 * @param dib      DIF and DIFE bytes as hex, e.g. {@code 84 10} → {@code "8410"}
 * @param vib      VIF and VIFE bytes as hex
 * @param function DIF function field
 * @param storage  storage number from DIF bit 6 and the DIFE chain
 * @param tariff   tariff from the DIFE chain (0 without DIFE)
 * @param subunit  sub-unit (device) from the DIFE chain (0 without DIFE)
 * @param coding   DIF data field coding
 * @param meaning  what the VIB says
 * @param value    decoded value
 */
public record MbusRecord(String dib, String vib, MeasurementFunction function, long storage, int tariff, int subunit,
                         DataFieldCoding coding, VifMeaning meaning, MbusValue value) {

    /** True when this record becomes a {@link io.meterlink.core.api.Reading}. */
    public boolean isReading() {
        return meaning.kind() == VifMeaning.Kind.NUMERIC && value instanceof MbusValue.Numeric && storage <= Integer.MAX_VALUE;
    }

    static String hex(byte[] b, int from, int to) {
        return HexFormat.of().withUpperCase().formatHex(b, from, to);
    }
}
