package io.meterlink.drivers.mbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;

import static io.meterlink.drivers.mbus.PrimaryVifTable.seconds;

/**
 * The VIF extension tables reached through VIF FB and FD (EN 13757-3:2013/2018 §6.4.4, Tables 12 and 14,
 * with the first edition's US gallon codes FB 22–26, reserved since 2013 and not reused),
 * scaled into canonical units where the Reading model has the quantity (MWh → Wh, GJ → J, t → kg,
 * ft³ → m³, kV·A → V·A …). Entries without a Reading quantity (versions, customer, counters,
 * parameters) are decoded as identifiers, flags or plain numbers. Pure and thread-safe.
 */
public final class ExtensionVifTables {
    private static final VifMeaning[] FB = new VifMeaning[128];
    private static final VifMeaning[] FD = new VifMeaning[128];
    private static final BigDecimal MEGA = BigDecimal.ONE.scaleByPowerOfTen(6);
    private static final BigDecimal GIGA = BigDecimal.ONE.scaleByPowerOfTen(9);
    private static final BigDecimal KILO = BigDecimal.ONE.scaleByPowerOfTen(3);
    /** 1 cal = 4.1868 J (international table calorie). */
    private static final BigDecimal MCAL_IN_J = new BigDecimal("4186800");
    /** 1 ft³ = 0.028316846592 m³ exactly. */
    private static final BigDecimal CUBIC_FOOT = new BigDecimal("0.028316846592");
    /** 1 US gallon = 231 in³ = 0.003785411784 m³ exactly. */
    private static final BigDecimal US_GALLON = new BigDecimal("0.003785411784");
    /** 2^-12, the binary scale of the HCA rating factors. */
    private static final BigDecimal TWO_POW_MINUS_12 = new BigDecimal("0.000244140625");

    static {
        for (int v = 0; v < 128; v++) {
            FB[v] = fb(v);
            FD[v] = fd(v);
        }
    }

    private ExtensionVifTables() {}

    /** Meaning of the first VIFE after VIF FB (extension bit ignored). */
    public static VifMeaning lookupFb(int vife) { return FB[vife & 0x7F]; }

    /** Meaning of the first VIFE after VIF FD (extension bit ignored). */
    public static VifMeaning lookupFd(int vife) { return FD[vife & 0x7F]; }

    private static BigDecimal pow10(int e) { return BigDecimal.ONE.scaleByPowerOfTen(e); }

    /** EN 13757-3:2013 Table 14 (VIF FB). */
    private static VifMeaning fb(int v) {
        int n = v & 0x01, nn = v & 0x03, nnn = v & 0x07;
        switch (v >> 1) {
            case 0x00: return VifMeaning.numeric(Quantity.ENERGY, Unit.WH, pow10(n - 1).multiply(MEGA), "energy 10^" + (n - 1) + " MWh");
            case 0x01: return VifMeaning.numeric(Quantity.ENERGY, Unit.VARH, pow10(n).multiply(KILO), "reactive energy 10^" + n + " kvarh");
            case 0x02: return VifMeaning.numeric(Quantity.ENERGY, Unit.VAH, pow10(n).multiply(KILO), "apparent energy 10^" + n + " kVAh");
            case 0x04: return VifMeaning.numeric(Quantity.ENERGY, Unit.J, pow10(n - 1).multiply(GIGA), "energy 10^" + (n - 1) + " GJ");
            case 0x08: return VifMeaning.numeric(Quantity.VOLUME, Unit.M3, pow10(n + 2), "volume 10^" + (n + 2) + " m3");
            case 0x0C: return VifMeaning.numeric(Quantity.MASS, Unit.KG, pow10(n + 2).multiply(KILO), "mass 10^" + (n + 2) + " t");
            case 0x0D: return VifMeaning.numeric(Quantity.RELATIVE_HUMIDITY, Unit.PERCENT, pow10(n - 1), "relative humidity 10^" + (n - 1) + " %");
            case 0x14: return VifMeaning.numeric(Quantity.POWER, Unit.W, pow10(n - 1).multiply(MEGA), "power 10^" + (n - 1) + " MW");
            case 0x18: return VifMeaning.numeric(Quantity.POWER, Unit.J_PER_H, pow10(n - 1).multiply(GIGA), "power 10^" + (n - 1) + " GJ/h");
            default: break;
        }
        switch (v >> 2) {
            case 0x03: return VifMeaning.numeric(Quantity.ENERGY, Unit.J, pow10(nn - 1).multiply(MCAL_IN_J), "energy 10^" + (nn - 1) + " MCal");
            case 0x05: return VifMeaning.numeric(Quantity.POWER, Unit.VAR, pow10(nn - 3).multiply(KILO), "reactive power 10^" + (nn - 3) + " kvar");
            case 0x0B: return VifMeaning.numeric(Quantity.FREQUENCY, Unit.HZ, pow10(nn - 3), "frequency 10^" + (nn - 3) + " Hz");
            case 0x0D: return VifMeaning.numeric(Quantity.POWER, Unit.VA, pow10(nn - 3).multiply(KILO), "apparent power 10^" + (nn - 3) + " kVA");
            case 0x16: return VifMeaning.number("flow_temperature_fahrenheit", null, pow10(nn - 3), "flow temperature 10^" + (nn - 3) + " °F");
            case 0x17: return VifMeaning.number("return_temperature_fahrenheit", null, pow10(nn - 3), "return temperature 10^" + (nn - 3) + " °F");
            case 0x18: return VifMeaning.number("temperature_difference_fahrenheit", null, pow10(nn - 3), "temperature difference 10^" + (nn - 3) + " °F");
            case 0x19: return VifMeaning.number("external_temperature_fahrenheit", null, pow10(nn - 3), "external temperature 10^" + (nn - 3) + " °F");
            case 0x1C: return VifMeaning.number("temperature_limit_fahrenheit", null, pow10(nn - 3), "cold/warm temperature limit 10^" + (nn - 3) + " °F");
            case 0x1D: return VifMeaning.number("temperature_limit", Unit.CELSIUS, pow10(nn - 3), "cold/warm temperature limit 10^" + (nn - 3) + " °C");
            default: break;
        }
        if (v >> 3 == 0x0F) return VifMeaning.number("cumulative_max_power", Unit.W, pow10(nnn - 3), "cumulative count max power 10^" + (nnn - 3) + " W");
        return switch (v) {
            case 0x20 -> VifMeaning.numeric(Quantity.VOLUME, Unit.M3, CUBIC_FOOT, "volume ft3");
            case 0x21 -> VifMeaning.numeric(Quantity.VOLUME, Unit.M3, CUBIC_FOOT.movePointLeft(1), "volume 0.1 ft3");
            // E010 0010..E010 0110: US gallon codes of the first edition (EN 1434-3 / M-Bus 4.8), reserved
            // since EN 13757-3:2013 but still sent by older North American meters; no later code reuses them
            case 0x22 -> VifMeaning.numeric(Quantity.VOLUME, Unit.M3, US_GALLON.movePointLeft(1), "volume 0.1 US gallon");
            case 0x23 -> VifMeaning.numeric(Quantity.VOLUME, Unit.M3, US_GALLON, "volume 1 US gallon");
            case 0x24 -> VifMeaning.numeric(Quantity.VOLUME_FLOW, Unit.M3_PER_H, US_GALLON.multiply(PrimaryVifTable.SIXTY).movePointLeft(3),
                    "volume flow 0.001 US gallon/min");
            case 0x25 -> VifMeaning.numeric(Quantity.VOLUME_FLOW, Unit.M3_PER_H, US_GALLON.multiply(PrimaryVifTable.SIXTY), "volume flow 1 US gallon/min");
            case 0x26 -> VifMeaning.numeric(Quantity.VOLUME_FLOW, Unit.M3_PER_H, US_GALLON, "volume flow 1 US gallon/h");
            case 0x2A -> VifMeaning.number("phase_u_u", null, new BigDecimal("0.1"), "phase U-U 0.1°");
            case 0x2B -> VifMeaning.number("phase_u_i", null, new BigDecimal("0.1"), "phase U-I 0.1°");
            case 0x68 -> VifMeaning.number("rating_factor_k", null, TWO_POW_MINUS_12, "resulting rating factor K");
            case 0x69 -> VifMeaning.number("rating_factor_kq", null, TWO_POW_MINUS_12, "thermal output rating factor Kq");
            case 0x6A -> VifMeaning.number("rating_factor_kc", null, TWO_POW_MINUS_12, "thermal coupling rating factor overall Kc");
            case 0x6B -> VifMeaning.number("rating_factor_kcr", null, TWO_POW_MINUS_12, "thermal coupling rating factor room side Kcr");
            case 0x6C -> VifMeaning.number("rating_factor_kch", null, TWO_POW_MINUS_12, "thermal coupling rating factor heater side Kch");
            case 0x6D -> VifMeaning.number("rating_factor_kt", null, TWO_POW_MINUS_12, "low temperature rating factor Kt");
            case 0x6E -> VifMeaning.number("display_output_scaling_factor", null, TWO_POW_MINUS_12, "display output scaling factor");
            default -> VifMeaning.unsupported(String.format("reserved VIF FB %02X", v));
        };
    }

    /** EN 13757-3:2013 Table 12 (VIF FD). */
    private static VifMeaning fd(int v) {
        int nn = v & 0x03, nnnn = v & 0x0F;
        switch (v >> 4) {
            case 0x04: return VifMeaning.numeric(Quantity.VOLTAGE, Unit.V, pow10(nnnn - 9), "volts 10^" + (nnnn - 9));
            case 0x05: return VifMeaning.numeric(Quantity.CURRENT, Unit.A, pow10(nnnn - 12), "ampere 10^" + (nnnn - 12));
            default: break;
        }
        switch (v >> 2) {
            case 0x00: return VifMeaning.number("credit", null, pow10(nn - 3), "credit 10^" + (nn - 3) + " currency units");
            case 0x01: return VifMeaning.number("debit", null, pow10(nn - 3), "debit 10^" + (nn - 3) + " currency units");
            case 0x09: return VifMeaning.number("storage_interval", Unit.S, seconds(nn), "storage interval");
            case 0x0B: return VifMeaning.number("duration_since_last_readout", Unit.S, seconds(nn), "duration since last readout");
            case 0x0D: return VifMeaning.number("period_of_tariff", Unit.S, seconds(nn), "period of tariff");
            case 0x0F: return VifMeaning.number("nominal_transmission_period", Unit.S, seconds(nn), "period of nominal data transmissions");
            case 0x1A: return hoursToYears("duration_since_last_cumulation", nn);
            case 0x1B: return hoursToYears("battery_operating_time", nn);
            default: break;
        }
        return switch (v) {
            case 0x08 -> VifMeaning.number("access_number", null, BigDecimal.ONE, "unique telegram identification");
            case 0x09 -> id("medium", "device type");
            case 0x0A -> id("manufacturer", "manufacturer");
            case 0x0B -> id("parameter_set_id", "parameter set identification");
            case 0x0C -> id("model_version", "model / version");
            case 0x0D -> id("hardware_version", "hardware version");
            case 0x0E -> id("firmware_version", "metrology (firmware) version");
            case 0x0F -> id("software_version", "other software version");
            case 0x10 -> id("customer_location", "customer location");
            case 0x11 -> id("customer", "customer");
            case 0x12 -> id("access_code_user", "access code user");
            case 0x13 -> id("access_code_operator", "access code operator");
            case 0x14 -> id("access_code_system_operator", "access code system operator");
            case 0x15 -> id("access_code_developer", "access code developer");
            case 0x16 -> id("password", "password");
            case 0x17 -> flags("error_flags", "error flags (device type specific)");
            case 0x18 -> flags("error_mask", "error mask");
            case 0x19 -> id("security_key", "security key");
            case 0x1A -> flags("digital_output", "digital output");
            case 0x1B -> flags("digital_input", "digital input");
            case 0x1C -> VifMeaning.number("baud_rate", null, BigDecimal.ONE, "baud rate");
            case 0x1D -> VifMeaning.number("response_delay_bit_times", null, BigDecimal.ONE, "response delay time (bit times)");
            case 0x1E -> VifMeaning.number("retry", null, BigDecimal.ONE, "retry");
            case 0x1F -> flags("remote_control", "remote control");
            case 0x20 -> VifMeaning.number("first_storage_number", null, BigDecimal.ONE, "first storage number for cyclic storage");
            case 0x21 -> VifMeaning.number("last_storage_number", null, BigDecimal.ONE, "last storage number for cyclic storage");
            case 0x22 -> VifMeaning.number("storage_block_size", null, BigDecimal.ONE, "size of storage block");
            case 0x23 -> id("tariff_subunit_descriptor", "descriptor for tariff and subunit");
            case 0x28 -> VifMeaning.number("storage_interval_months", null, BigDecimal.ONE, "storage interval months");
            case 0x29 -> VifMeaning.number("storage_interval_years", null, BigDecimal.ONE, "storage interval years");
            case 0x2A -> id("operator_specific_data", "operator specific data");
            case 0x2B -> VifMeaning.number("time_point_second", Unit.S, BigDecimal.ONE, "time point second");
            case 0x30 -> VifMeaning.of(VifMeaning.Kind.EVENT_TIME, "tariff_start", "start (date/time) of tariff");
            case 0x31, 0x32, 0x33 -> VifMeaning.number("duration_of_tariff", Unit.S, seconds(nn), "duration of tariff");
            case 0x38 -> VifMeaning.number("period_of_tariff_months", null, BigDecimal.ONE, "period of tariff months");
            case 0x39 -> VifMeaning.number("period_of_tariff_years", null, BigDecimal.ONE, "period of tariff years");
            case 0x3A -> VifMeaning.number("dimensionless", null, BigDecimal.ONE, "dimensionless");
            case 0x3B -> VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, "wmbus_container", "data container for wireless M-Bus protocol");
            case 0x60 -> VifMeaning.number("reset_counter", null, BigDecimal.ONE, "reset counter");
            case 0x61 -> VifMeaning.number("cumulation_counter", null, BigDecimal.ONE, "cumulation counter");
            case 0x62 -> flags("control_signal", "control signal");
            case 0x63 -> VifMeaning.number("day_of_week", null, BigDecimal.ONE, "day of week");
            case 0x64 -> VifMeaning.number("week_number", null, BigDecimal.ONE, "week number");
            case 0x65 -> id("day_change_time_point", "time point of day change");
            case 0x66 -> flags("parameter_activation_state", "state of parameter activation");
            case 0x67 -> id("special_supplier_information", "special supplier information");
            case 0x70 -> VifMeaning.of(VifMeaning.Kind.EVENT_TIME, "battery_change", "date and time of battery change");
            case 0x71 -> VifMeaning.numeric(Quantity.SIGNAL_STRENGTH, Unit.DBM, BigDecimal.ONE, "RF level dBm");
            case 0x72 -> VifMeaning.of(VifMeaning.Kind.DAYLIGHT_SAVING, "daylight_saving", "daylight saving (type K)");
            case 0x73 -> VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, "listening_window", "listening window management (type L)");
            case 0x74 -> VifMeaning.number("remaining_battery_lifetime", Unit.S, PrimaryVifTable.DAY, "remaining battery life time (days)");
            case 0x75 -> VifMeaning.number("meter_stopped_count", null, BigDecimal.ONE, "number of times the meter was stopped");
            case 0x76 -> VifMeaning.of(VifMeaning.Kind.MANUFACTURER, "manufacturer_container", "data container for manufacturer specific protocol");
            default -> VifMeaning.unsupported(String.format("reserved VIF FD %02X", v));
        };
    }

    private static VifMeaning id(String name, String description) {
        return VifMeaning.of(VifMeaning.Kind.IDENTIFIER, name, description);
    }

    private static VifMeaning flags(String name, String description) {
        return VifMeaning.of(VifMeaning.Kind.FLAGS, name, description);
    }

    /** pp: 00 hours, 01 days, 10 months, 11 years (EN 13757-3 Table 12). */
    private static VifMeaning hoursToYears(String name, int pp) {
        return switch (pp) {
            case 0 -> VifMeaning.number(name, Unit.S, PrimaryVifTable.HOUR, name.replace('_', ' ') + " h");
            case 1 -> VifMeaning.number(name, Unit.S, PrimaryVifTable.DAY, name.replace('_', ' ') + " d");
            case 2 -> VifMeaning.number(name + "_months", null, BigDecimal.ONE, name.replace('_', ' ') + " months");
            default -> VifMeaning.number(name + "_years", null, BigDecimal.ONE, name.replace('_', ' ') + " years");
        };
    }
}
