package io.meterlink.drivers.mbus;

import java.math.BigDecimal;
import java.util.List;

/**
 * The combinable (orthogonal) VIFE table (EN 13757-3:2013 §6.4.5 Table 15) and the record error
 * codes (§6.4.8 Table 16). Multiplicative correction factors are applied to the meaning; every other
 * extension is carried as a modifier text (it changes what the value means, so such a record is not
 * turned into a reading); error codes are carried as the record error. Pure and thread-safe.
 */
final class CombinableVifes {
    private CombinableVifes() {}

    /** Result of applying one VIFE. */
    record Applied(VifMeaning meaning, String modifier, String error) {}

    static Applied apply(VifMeaning m, int vife) {
        int e = vife & 0x7F;
        if (e >= 0x70 && e <= 0x77) { // E111 0nnn multiplicative correction factor 10^(nnn-6)
            return new Applied(m.times(BigDecimal.ONE.scaleByPowerOfTen((e & 0x07) - 6), "×10^" + ((e & 0x07) - 6)), null, null);
        }
        if (e == 0x7D) return new Applied(m.times(BigDecimal.valueOf(1000), "×10^3"), null, null); // E111 1101
        if (e < 0x20) {
            String err = recordError(e);
            if (err != null) return new Applied(m, null, err);
        }
        String mod = modifier(e);
        if (m.kind() == VifMeaning.Kind.MANUFACTURER || m.kind() == VifMeaning.Kind.UNSUPPORTED) return new Applied(m, mod, null);
        if (e == 0x39 || (e & 0x72) == 0x42 || (e & 0x7A) == 0x6A) { // start date/time of; E100 uf1b, E110 1f1b date/time of
            return new Applied(m.asDateTime(mod), mod, null);
        }
        // E101 ufnn and E110 0fnn (durations, nn = s/min/h/d) keep the VIF's unit and scale with the modifier
        // naming the duration unit: Qundis water meters send 02 BB 56 for a flow (wmbusmeters' qwater reads it so)
        if ((e & 0x77) == 0x41) return new Applied(m.asCount(mod), mod, null); // E100 u001 number of exceeds
        return new Applied(m, mod, null);
    }

    /** Table 16 record errors (slave to master); {@code null} when {@code e} is not an error code. */
    static String recordError(int e) {
        return switch (e) {
            case 0x00 -> "none";
            case 0x01 -> "too many DIFEs";
            case 0x02 -> "storage number not implemented";
            case 0x03 -> "unit number not implemented";
            case 0x04 -> "tariff number not implemented";
            case 0x05 -> "function not implemented";
            case 0x06 -> "data class not implemented";
            case 0x07 -> "data size not implemented";
            case 0x08, 0x09, 0x0A -> String.format("reserved record error %02X", e);
            case 0x0B -> "too many VIFEs";
            case 0x0C -> "illegal VIF-group";
            case 0x0D -> "illegal VIF-exponent";
            case 0x0E -> "VIF/DIF mismatch";
            case 0x0F -> "unimplemented action";
            case 0x15 -> "no data available";
            case 0x16 -> "data overflow";
            case 0x17 -> "data underflow";
            case 0x18 -> "data error";
            case 0x1C -> "premature end of record";
            default -> null;
        };
    }

    private static final List<String> PHASE = List.of("at phase L1", "at phase L2", "at phase L3", "at neutral",
            "between phase L1 and L2", "between phase L2 and L3", "between phase L3 and L1");

    /**
     * The extension of the combinable VIFE table, reached through VIFE E111 1100 (EN 13757-3:2018):
     * the phase or conductor a value belongs to, the quadrant (Q1–Q4), the delta between import and export,
     * absolute accumulation and the data type the value is presented in (C or D); any other code is reserved.
     */
    static String extension(int e) {
        if (e >= 0x01 && e <= 0x07) return PHASE.get(e - 1);
        if (e >= 0x08 && e <= 0x0B) return "at quadrant Q" + (e - 0x07);
        return switch (e) {
            case 0x0C -> "delta between import and export";
            case 0x10 -> "accumulation of abs value for positive and negative contributions";
            case 0x11 -> "data presented with type C";
            case 0x12 -> "data presented with type D";
            default -> String.format("reserved extension VIFE %02X", e);
        };
    }

    private static final List<String> PER_TIME = List.of("second", "minute", "hour", "day", "week", "month", "year", "revolution/measurement");
    private static final List<String> PER_UNIT = List.of("l", "m3", "kg", "K", "kWh", "GJ", "kW", "K·l", "V", "A");
    private static final List<String> DURATION_UNIT = List.of("s", "min", "h", "d");

    static String modifier(int e) {
        if (e >= 0x20 && e <= 0x27) return "per " + PER_TIME.get(e - 0x20);
        if (e == 0x28 || e == 0x29) return "increment per input pulse on channel " + (e & 1);
        if (e == 0x2A || e == 0x2B) return "increment per output pulse on channel " + (e & 1);
        if (e >= 0x2C && e <= 0x35) return "per " + PER_UNIT.get(e - 0x2C);
        if ((e & 0x70) == 0x40) { // E100 u... limit values
            String ul = (e & 0x08) != 0 ? "upper" : "lower";
            if ((e & 0x07) == 0) return ul + " limit value";
            if ((e & 0x07) == 1) return "number of exceeds of " + ul + " limit value";
            if ((e & 0x02) != 0) {
                return "date/time of " + ((e & 1) != 0 ? "end" : "begin") + " of " + ((e & 0x04) != 0 ? "last" : "first") + " " + ul + " limit exceed";
            }
        }
        if ((e & 0x70) == 0x50) { // E101 ufnn duration of limit exceed
            return "duration of " + ((e & 0x04) != 0 ? "last" : "first") + " " + ((e & 0x08) != 0 ? "upper" : "lower")
                    + " limit exceed (" + DURATION_UNIT.get(e & 0x03) + ")";
        }
        if ((e & 0x78) == 0x60) return "duration of " + ((e & 0x04) != 0 ? "last" : "first") + " (" + DURATION_UNIT.get(e & 0x03) + ")";
        if (e >= 0x78 && e <= 0x7B) return "additive correction constant 10^" + ((e & 0x03) - 3);
        return switch (e) {
            case 0x12 -> "average value";
            case 0x13 -> "inverse compact profile";
            case 0x14 -> "relative deviation";
            case 0x1D -> "standard conform data content";
            case 0x1E -> "compact profile with register numbers";
            case 0x1F -> "compact profile";
            case 0x36 -> "multiplied by s";
            case 0x37 -> "multiplied by s/V";
            case 0x38 -> "multiplied by s/A";
            case 0x39 -> "start date/time of";
            case 0x3A -> "uncorrected unit";
            case 0x3B -> "accumulation only if positive";
            case 0x3C -> "accumulation of abs value only if negative";
            case 0x3D -> "non-metric unit system";
            case 0x3E -> "value at base conditions";
            case 0x3F -> "OBIS declaration";
            case 0x68 -> "value during lower limit exceed";
            case 0x69 -> "leakage values";
            case 0x6C -> "value during upper limit exceed";
            case 0x6D -> "overflow values";
            case 0x6A, 0x6B, 0x6E, 0x6F -> "date/time of " + ((e & 1) != 0 ? "end" : "begin") + " of " + ((e & 0x04) != 0 ? "last" : "first");
            case 0x7C -> "extension of combinable VIFE";
            case 0x7E -> "future value";
            case 0x7F -> "manufacturer specific VIFE";
            default -> String.format("reserved VIFE %02X", e);
        };
    }
}
