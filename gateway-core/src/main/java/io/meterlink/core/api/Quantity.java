package io.meterlink.core.api;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a value measures. Each quantity allows a small set of canonical units. */
public enum Quantity {
    VOLUME(Unit.M3),
    ENERGY(Unit.WH, Unit.J, Unit.VAH, Unit.VARH),
    POWER(Unit.W, Unit.J_PER_H, Unit.VA, Unit.VAR),
    VOLUME_FLOW(Unit.M3_PER_H),
    MASS(Unit.KG),
    MASS_FLOW(Unit.KG_PER_H),
    FLOW_TEMPERATURE(Unit.CELSIUS),
    RETURN_TEMPERATURE(Unit.CELSIUS),
    EXTERNAL_TEMPERATURE(Unit.CELSIUS),
    TEMPERATURE(Unit.CELSIUS),
    TEMPERATURE_DIFFERENCE(Unit.KELVIN),
    PRESSURE(Unit.BAR),
    VOLTAGE(Unit.V),
    CURRENT(Unit.A),
    FREQUENCY(Unit.HZ),
    POWER_FACTOR(Unit.NONE),
    HEAT_COST_ALLOCATION(Unit.HCA),
    ON_TIME(Unit.S),
    OPERATING_TIME(Unit.S),
    AVERAGING_DURATION(Unit.S),
    ACTUALITY_DURATION(Unit.S),
    SIGNAL_STRENGTH(Unit.DBM),
    COUNT(Unit.NONE),
    RELATIVE_HUMIDITY(Unit.PERCENT),
    ERROR_FLAGS(Unit.NONE);

    private final Set<Unit> units;
    private final String wireName;

    Quantity(Unit first, Unit... more) {
        this.units = EnumSet.of(first, more);
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /** Units this quantity may be expressed in. */
    public Set<Unit> units() { return units; }

    /** Name used in payloads and decode output, e.g. {@code volume}, {@code flow_temperature}. */
    public String wireName() { return wireName; }

    /** Cumulative registers that utilities bill on: evicted last when the buffer is full. */
    public boolean isBillingRegister() {
        return this == VOLUME || this == ENERGY || this == MASS || this == HEAT_COST_ALLOCATION;
    }

    public static Quantity ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
