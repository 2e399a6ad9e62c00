package io.meterlink.drivers.coap;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;
import java.util.Map;

/**
 * SenML units (RFC 8428 §12.1 and the secondary units of RFC 8798) that meters send, mapped to our
 * quantity and canonical unit with the factor that converts the value. Immutable.
 *
 * @param quantity what the record measures
 * @param unit     our canonical unit
 * @param factor   canonical value = SenML value × factor
 */
record SenmlUnits(Quantity quantity, Unit unit, BigDecimal factor) {
    private static SenmlUnits of(Quantity q, Unit u, String factor) { return new SenmlUnits(q, u, new BigDecimal(factor)); }

    private static final Map<String, SenmlUnits> UNITS = Map.ofEntries(
            Map.entry("Wh", of(Quantity.ENERGY, Unit.WH, "1")),
            Map.entry("kWh", of(Quantity.ENERGY, Unit.WH, "1000")),
            Map.entry("J", of(Quantity.ENERGY, Unit.J, "1")),
            Map.entry("VAh", of(Quantity.ENERGY, Unit.VAH, "1")),
            Map.entry("varh", of(Quantity.ENERGY, Unit.VARH, "1")),
            Map.entry("W", of(Quantity.POWER, Unit.W, "1")),
            Map.entry("kW", of(Quantity.POWER, Unit.W, "1000")),
            Map.entry("VA", of(Quantity.POWER, Unit.VA, "1")),
            Map.entry("var", of(Quantity.POWER, Unit.VAR, "1")),
            Map.entry("m3", of(Quantity.VOLUME, Unit.M3, "1")),
            Map.entry("l", of(Quantity.VOLUME, Unit.M3, "0.001")),
            Map.entry("m3/s", of(Quantity.VOLUME_FLOW, Unit.M3_PER_H, "3600")),
            Map.entry("m3/h", of(Quantity.VOLUME_FLOW, Unit.M3_PER_H, "1")),
            Map.entry("l/s", of(Quantity.VOLUME_FLOW, Unit.M3_PER_H, "3.6")),
            Map.entry("Cel", of(Quantity.TEMPERATURE, Unit.CELSIUS, "1")),
            Map.entry("V", of(Quantity.VOLTAGE, Unit.V, "1")),
            Map.entry("A", of(Quantity.CURRENT, Unit.A, "1")),
            Map.entry("Hz", of(Quantity.FREQUENCY, Unit.HZ, "1")),
            Map.entry("%RH", of(Quantity.RELATIVE_HUMIDITY, Unit.PERCENT, "1")),
            Map.entry("bar", of(Quantity.PRESSURE, Unit.BAR, "1")),
            Map.entry("Pa", of(Quantity.PRESSURE, Unit.BAR, "0.00001")),
            Map.entry("kg", of(Quantity.MASS, Unit.KG, "1")),
            Map.entry("count", of(Quantity.COUNT, Unit.NONE, "1")));

    /** The mapping of a SenML unit, or {@code null} for a unit we do not read. */
    static SenmlUnits of(String senmlUnit) {
        return senmlUnit == null ? null : UNITS.get(senmlUnit);
    }
}
