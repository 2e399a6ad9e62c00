package io.meterlink.drivers.modbus;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.util.List;

/**
 * The keys of a Modbus meter profile file (docs/modbus.md, "Profile format"), read by
 * {@link ProfileLoader}. A profile is not part of the gateway's configuration file, so its keys are
 * not a driver table; they are declared here once all the same, with their bounds.
 */
final class ProfileKeys {
    private ProfileKeys() {
    }

    static final ConfigKey<String> MANUFACTURER = ConfigKey.required("manufacturer",
            "the manufacturer code, part of the meter id: 1 to 16 letters, digits, '@', '_' or '-'");
    static final ConfigKey<String> MODEL = ConfigKey.required("model", "the meter model, for people");
    static final ConfigKey<String> DESCRIPTION = ConfigKey.text("description", null, "free text");
    static final ConfigKey<Integer> MAX_BLOCK = ConfigKey.integer("max_block", MeterProfile.MODBUS_MAX_REGISTERS, 1,
            MeterProfile.MODBUS_MAX_REGISTERS, "most registers read in one request");
    static final ConfigKey<Integer> MAX_BITS = ConfigKey.integer("max_bits", MeterProfile.MODBUS_MAX_BITS, 1,
            MeterProfile.MODBUS_MAX_BITS, "most status bits read in one request");
    static final ConfigKey<Integer> MAX_GAP = ConfigKey.integer("max_gap", 0, 0, MeterProfile.MODBUS_MAX_REGISTERS,
            "unused registers a request may span to join two values");
    static final ConfigKey<Settings> DEFAULTS = ConfigKey.section("defaults", "defaults of the values' keys below");
    static final ConfigKey<List<Settings>> VALUES = ConfigKey.sections("values[]", "the values read, at least one");

    // a value's keys; function, type and the orders may also be given once under defaults
    static final ConfigKey<String> FUNCTION = ConfigKey.choice("function", "3", List.of("1", "2", "3", "4"),
            "function code: 1/2 status bits, 3 holding, 4 input registers");
    static final ConfigKey<String> TYPE = ConfigKey.text("type", null, "the value's data type (DataType wire names)");
    static final ConfigKey<String> WORD_ORDER = ConfigKey.choice("word_order", "high_first", List.of("high_first", "low_first"),
            "order of a multi-register value's words");
    static final ConfigKey<String> BYTE_ORDER = ConfigKey.choice("byte_order", "big", List.of("big", "little"),
            "order of the bytes within a register");
    static final ConfigKey<String> NOT_AVAILABLE = ConfigKey.choice("not_available", "none", List.of("none", "all_ones"),
            "a pattern that means no value");
    static final ConfigKey<String> NAME = ConfigKey.required("name", "the value's name, unique in the profile");
    static final ConfigKey<String> REGISTER = ConfigKey.required("register", "0-based address 0..65535, decimal or 0x hex");
    static final ConfigKey<Integer> SCALE = ConfigKey.integer("scale", 0, -12, 12, "times 10^scale");
    static final ConfigKey<String> FACTOR = ConfigKey.text("factor", null, "times this non-zero decimal (instead of scale)");
    static final ConfigKey<String> QUANTITY = ConfigKey.required("quantity", "the reading's quantity (wire name)");
    static final ConfigKey<String> UNIT = ConfigKey.text("unit", "", "the register's unit, e.g. kWh");
    static final ConfigKey<String> MEASUREMENT = ConfigKey.choice("measurement", "instantaneous",
            List.of("instantaneous", "maximum", "minimum"), "the measurement function");
    static final ConfigKey<Integer> TARIFF = ConfigKey.integer("tariff", 0, 0, 255, "tariff register, 0 = total");
    static final ConfigKey<String> PHASE = ConfigKey.choice("phase", null, List.of("L1", "L2", "L3", "N"),
            "the phase, which sets the subunit (L1 = 1 … N = 4)");
    static final ConfigKey<Integer> SUBUNIT = ConfigKey.integer("subunit", 0, 0, 1_000_000, "subunit of the measurement key");

    /** The declarations in the order of docs/modbus.md (not a gateway configuration table). */
    static final KeyGroup GROUP = KeyGroup.of("modbus-profile", "", MANUFACTURER, MODEL, DESCRIPTION, MAX_BLOCK, MAX_BITS,
            MAX_GAP, DEFAULTS, VALUES, FUNCTION, TYPE, WORD_ORDER, BYTE_ORDER, NOT_AVAILABLE, NAME, REGISTER, SCALE, FACTOR,
            QUANTITY, UNIT, MEASUREMENT, TARIFF, PHASE, SUBUNIT);
}
