package io.meterlink.drivers.mbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;

/**
 * The primary VIF table (EN 13757-3 §6.4.2, Table 10), scaled into the canonical units of the
 * Reading model. The extension codes FB/FD, plain text 7C and manufacturer 7F are handled by
 * {@link VifDecoder}. Pure and thread-safe.
 */
public final class PrimaryVifTable {
    static final BigDecimal SIXTY = BigDecimal.valueOf(60);
    static final BigDecimal HOUR = BigDecimal.valueOf(3600);
    static final BigDecimal DAY = BigDecimal.valueOf(86400);
    private static final VifMeaning[] TABLE = new VifMeaning[128];

    static {
        for (int v = 0; v < 128; v++) TABLE[v] = build(v);
    }

    private PrimaryVifTable() {}

    /** Meaning of a primary VIF (extension bit ignored); {@link VifMeaning.Kind#UNSUPPORTED} when reserved. */
    public static VifMeaning lookup(int vif) {
        return TABLE[vif & 0x7F];
    }

    private static VifMeaning build(int v) {
        int n3 = v & 0x07, n2 = v & 0x03;
        switch (v >> 3) {
            case 0x00: return num(Quantity.ENERGY, Unit.WH, n3 - 3, "energy Wh");                 // E000 0nnn
            case 0x01: return num(Quantity.ENERGY, Unit.J, n3, "energy J");                       // E000 1nnn
            case 0x02: return num(Quantity.VOLUME, Unit.M3, n3 - 6, "volume m3");                 // E001 0nnn
            case 0x03: return num(Quantity.MASS, Unit.KG, n3 - 3, "mass kg");                     // E001 1nnn
            case 0x05: return num(Quantity.POWER, Unit.W, n3 - 3, "power W");                     // E010 1nnn
            case 0x06: return num(Quantity.POWER, Unit.J_PER_H, n3, "power J/h");                 // E011 0nnn
            case 0x07: return num(Quantity.VOLUME_FLOW, Unit.M3_PER_H, n3 - 6, "volume flow m3/h"); // E011 1nnn
            case 0x08: return scaled(Quantity.VOLUME_FLOW, Unit.M3_PER_H, n3 - 7, SIXTY, "volume flow m3/min"); // E100 0nnn
            case 0x09: return scaled(Quantity.VOLUME_FLOW, Unit.M3_PER_H, n3 - 9, HOUR, "volume flow m3/s");    // E100 1nnn
            case 0x0A: return num(Quantity.MASS_FLOW, Unit.KG_PER_H, n3 - 3, "mass flow kg/h");   // E101 0nnn
            default: break;
        }
        switch (v >> 2) {
            case 0x08: return duration(Quantity.ON_TIME, n2, "on time");                          // E010 00nn
            case 0x09: return duration(Quantity.OPERATING_TIME, n2, "operating time");            // E010 01nn
            case 0x16: return num(Quantity.FLOW_TEMPERATURE, Unit.CELSIUS, n2 - 3, "flow temperature");     // E101 10nn
            case 0x17: return num(Quantity.RETURN_TEMPERATURE, Unit.CELSIUS, n2 - 3, "return temperature"); // E101 11nn
            case 0x18: return num(Quantity.TEMPERATURE_DIFFERENCE, Unit.KELVIN, n2 - 3, "temperature difference"); // E110 00nn
            case 0x19: return num(Quantity.EXTERNAL_TEMPERATURE, Unit.CELSIUS, n2 - 3, "external temperature"); // E110 01nn
            case 0x1A: return num(Quantity.PRESSURE, Unit.BAR, n2 - 3, "pressure bar");           // E110 10nn
            case 0x1C: return duration(Quantity.AVERAGING_DURATION, n2, "averaging duration");    // E111 00nn
            case 0x1D: return duration(Quantity.ACTUALITY_DURATION, n2, "actuality duration");    // E111 01nn
            default: break;
        }
        return switch (v) {
            case 0x6C -> VifMeaning.of(VifMeaning.Kind.DATE, "date", "date (type G)");                     // E110 1100
            case 0x6D -> VifMeaning.of(VifMeaning.Kind.DATE_TIME, "date_time", "date and time (type F/I/J)"); // E110 1101
            case 0x6E -> VifMeaning.numeric(Quantity.HEAT_COST_ALLOCATION, Unit.HCA, BigDecimal.ONE, "units for H.C.A."); // E110 1110
            case 0x78 -> VifMeaning.of(VifMeaning.Kind.IDENTIFIER, "fabrication_number", "fabrication number"); // E111 1000
            case 0x79 -> VifMeaning.of(VifMeaning.Kind.IDENTIFIER, "enhanced_identification", "(enhanced) identification"); // E111 1001
            case 0x7A -> VifMeaning.of(VifMeaning.Kind.IDENTIFIER, "bus_address", "bus address");           // E111 1010
            case 0x7E -> VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, "any_vif", "any VIF (readout selection)"); // E111 1110
            case 0x7F -> VifMeaning.of(VifMeaning.Kind.MANUFACTURER, "manufacturer_specific", "manufacturer specific VIF");
            default -> VifMeaning.unsupported(String.format("reserved VIF %02X", v));                      // E110 1111 etc.
        };
    }

    static VifMeaning num(Quantity q, Unit u, int exp, String what) {
        return VifMeaning.numeric(q, u, BigDecimal.ONE.scaleByPowerOfTen(exp), what + " 10^" + exp);
    }

    static VifMeaning scaled(Quantity q, Unit u, int exp, BigDecimal toCanonical, String what) {
        return VifMeaning.numeric(q, u, BigDecimal.ONE.scaleByPowerOfTen(exp).multiply(toCanonical), what + " 10^" + exp);
    }

    /** nn: 00 seconds, 01 minutes, 10 hours, 11 days (EN 13757-3 Table 10 note). */
    static BigDecimal seconds(int nn) {
        return switch (nn) {
            case 0 -> BigDecimal.ONE;
            case 1 -> SIXTY;
            case 2 -> HOUR;
            default -> DAY;
        };
    }

    private static VifMeaning duration(Quantity q, int nn, String what) {
        String[] units = {"s", "min", "h", "d"};
        return VifMeaning.numeric(q, Unit.S, seconds(nn), what + " " + units[nn]);
    }
}
