package io.meterlink.drivers.obis;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Quantity;

/**
 * What an OBIS code measures in our terms (IEC 62056-6-1 §7 and the DLMS Blue Book's OBIS tables):
 * the canonical {@link Quantity}, energy flow direction, phase, tariff and function. Electricity
 * (A = 1): C 1..10 total (+P, −P, +Q, −Q, Q1..Q4, +S, −S), 11 current, 12 voltage, 13 power factor,
 * 14 frequency, 15 |P|, 16 P net; 21..40, 41..60, 61..80 the same per phase L1, L2, L3; 91 neutral
 * current. D 8/9/29 registers (energy), 7/4/5/24/25 instantaneous or average power, 6 maximum
 * demand; current, voltage, power factor and frequency only as instantaneous values (D 7). Average
 * power (D 4, 5, 24, 25) has the function {@code average}, so that it never shares a measurement
 * key with the instantaneous value D 7 of the same code.
 * E is the tariff of a register (0 = total). Gas (A = 7, C 3), water (A = 8, C 1) and DSMR M-Bus
 * channels ({@code 0-n:24.2.x}, {@code 24.3.0} before DSMR 4) are volumes or energy by their unit; DSMR
 * power failure and voltage sag/swell counters are counts. Anything else has no quantity.
 *
 * @param quantity  the quantity, or {@code null} when the code has no canonical meaning here
 * @param direction {@code import}, {@code export}, {@code absolute}, {@code net} or {@code null}
 * @param phase     {@code L1}, {@code L2}, {@code L3}, {@code N} or {@code null} for all phases
 * @param tariff    tariff register, 0 = total
 * @param function  instantaneous, maximum for maximum demand registers, average for average demand
 */
public record ObisMeaning(Quantity quantity, String direction, String phase, int tariff, MeasurementFunction function) {
    private static final String[] PHASES = {null, "L1", "L2", "L3"};
    static final ObisMeaning NONE = new ObisMeaning(null, null, null, 0, MeasurementFunction.INSTANTANEOUS);

    /** The meaning of {@code code} when its value comes in {@code unit} (which tells energy from volume on M-Bus channels). */
    public static ObisMeaning of(Obis code, MeterUnit unit) {
        int a = code.a();
        if (a == 1 || a == 255 && code.c() >= 1 && code.c() <= 91) return electricity(code);
        if (a == 7 && code.c() == 3 || a == 8 && code.c() == 1) return volume();
        if (a == 0 && code.c() == 96 && code.d() == 7 && (code.e() == 21 || code.e() == 9)) return count(); // DSMR power failures
        if (a == 0 && code.c() == 24 && (code.d() == 2 || code.d() == 3) && unit != null && unit.canonical() != null) {
            return switch (unit.canonical()) { // DSMR M-Bus channel capture value: gas/water m3, heat GJ
                case M3 -> volume();
                case J, WH -> new ObisMeaning(Quantity.ENERGY, "import", null, 0, MeasurementFunction.INSTANTANEOUS);
                default -> NONE;
            };
        }
        return NONE;
    }

    private static ObisMeaning count() {
        return new ObisMeaning(Quantity.COUNT, null, null, 0, MeasurementFunction.INSTANTANEOUS);
    }

    private static ObisMeaning volume() {
        return new ObisMeaning(Quantity.VOLUME, null, null, 0, MeasurementFunction.INSTANTANEOUS);
    }

    private static ObisMeaning electricity(Obis code) {
        int c = code.c(), d = code.d();
        String phase = null;
        int base = c;
        if (c == 91) {
            return new ObisMeaning(d == 7 ? Quantity.CURRENT : null, null, "N", 0, MeasurementFunction.INSTANTANEOUS);
        }
        if (c >= 21 && c <= 80) {
            phase = PHASES[(c - 1) / 20];
            base = (c - 1) % 20 + 1;
        } else if (c > 20) {
            return NONE;
        }
        if (base == 12 && (d == 32 || d == 36)) return new ObisMeaning(Quantity.COUNT, null, phase, 0, MeasurementFunction.INSTANTANEOUS); // voltage sags, swells
        boolean register = d == 8 || d == 9 || d == 29;
        boolean instantaneous = d == 7 || d == 4 || d == 5 || d == 24 || d == 25 || d == 6;
        if (!register && !instantaneous) return NONE;
        MeasurementFunction function = switch (d) { // D 4 current average, 5 last average, 24/25 other averages (demand periods)
            case 6 -> MeasurementFunction.MAXIMUM;
            case 4, 5, 24, 25 -> MeasurementFunction.AVERAGE;
            default -> MeasurementFunction.INSTANTANEOUS;
        };
        int tariff = register && code.e() <= 63 ? code.e() : 0;
        String direction = switch (base) {
            case 1, 3, 9 -> "import";
            case 2, 4, 10 -> "export";
            case 15 -> "absolute";
            case 16 -> "net";
            default -> null;
        };
        Quantity q = switch (base) {
            case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16 -> register ? Quantity.ENERGY : Quantity.POWER;
            // only instantaneous values (D 7): e.g. e-MUCS 1-0:31.4.0 is the fuse supervision threshold, no measurement
            case 11 -> d == 7 ? Quantity.CURRENT : null;
            case 12 -> d == 7 ? Quantity.VOLTAGE : null;
            case 13 -> d == 7 ? Quantity.POWER_FACTOR : null;
            case 14 -> d == 7 ? Quantity.FREQUENCY : null;
            default -> null;
        };
        if (q == null) return NONE;
        if (d == 6 && code.e() <= 63) tariff = code.e(); // maximum demand per tariff
        return new ObisMeaning(q, direction, phase, tariff, function);
    }
}
