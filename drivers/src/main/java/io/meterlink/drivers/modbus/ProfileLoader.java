package io.meterlink.drivers.modbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.drivers.obis.MeterUnit;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one meter profile file (docs/modbus.md, "Profile format") with the project's hardened YAML
 * loader ({@link YamlFile}: size limit, UTF-8, alias bombs, duplicate keys), so that every problem
 * is reported as {@code file:line: key: message}, all of them in one pass. Stateless.
 */
public final class ProfileLoader {
    /** A profile name: the file name without {@code .yaml}. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern MANUFACTURER = Pattern.compile("[A-Za-z0-9@_-]{1,16}");
    private static final Set<String> FUNCTIONS = Set.of("1", "2", "3", "4");
    private static final Set<String> WORD_ORDERS = Set.of("high_first", "low_first");
    private static final Set<String> BYTE_ORDERS = Set.of("big", "little");
    private static final Set<String> NOT_AVAILABLE = Set.of("none", "all_ones");
    private static final Set<String> PHASES = Set.of("L1", "L2", "L3", "N");

    private ProfileLoader() {
    }

    /** A loaded profile, or the errors that kept it from loading. */
    public record Result(MeterProfile profile, List<ConfigError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean ok() { return profile != null && errors.isEmpty(); }
    }

    /** Reads {@code file}; its name (without {@code .yaml}) is the profile's name. */
    public static Result load(Path file) {
        return bind(profileName(file), YamlFile.parse(file));
    }

    /** Reads profile text as if from {@code file} (the profiles shipped in the jar). */
    public static Result parse(Path file, String text) {
        return bind(profileName(file), YamlFile.parse(file, text));
    }

    static String profileName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".yaml") ? n.substring(0, n.length() - 5) : n;
    }

    private static Result bind(String name, YamlFile yaml) {
        if (!yaml.errors().isEmpty()) return new Result(null, yaml.errors());
        Settings root = yaml.root();
        if (!NAME.matcher(name).matches()) root.error("(file)", "a profile's file name must be lower-case letters, digits, '.', '_' or '-' and end in .yaml");
        String manufacturer = root.requiredString("manufacturer");
        if (manufacturer != null && !MANUFACTURER.matcher(manufacturer).matches()) {
            root.error("manufacturer", "must be 1 to 16 letters, digits, '@', '_' or '-' (it is part of the meter id)");
        }
        String model = root.requiredString("model");
        root.string("description", null);
        int maxBlock = root.integer("max_block", MeterProfile.MODBUS_MAX_REGISTERS, 1, MeterProfile.MODBUS_MAX_REGISTERS);
        int maxBits = root.integer("max_bits", MeterProfile.MODBUS_MAX_BITS, 1, MeterProfile.MODBUS_MAX_BITS);
        int maxGap = root.integer("max_gap", 0, 0, MeterProfile.MODBUS_MAX_REGISTERS);
        Settings d = root.section("defaults");
        Defaults defaults = new Defaults(d.choice("function", "3", FUNCTIONS), d.string("type", null),
                d.choice("word_order", "high_first", WORD_ORDERS), d.choice("byte_order", "big", BYTE_ORDERS),
                d.choice("not_available", "none", NOT_AVAILABLE));
        if (defaults.type != null && DataType.ofWireName(defaults.type) == null) d.error("type", "unknown type; one of " + typeNames());
        d.finish();
        List<Settings> items = root.sections("values");
        if (items.isEmpty()) root.error("values", "a profile needs at least one value");
        List<RegisterValue> values = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        for (Settings v : items) {
            RegisterValue rv = value(v, defaults, maxBlock);
            v.finish();
            if (rv == null) continue;
            if (names.putIfAbsent(rv.name(), v.path()) != null) {
                v.error("name", "value name '" + rv.name() + "' is also used by " + names.get(rv.name()));
                continue;
            }
            String key = rv.quantity().wireName() + "/" + rv.measurement().wireName() + "/tariff " + rv.tariff() + "/subunit " + rv.subunit();
            if (keys.putIfAbsent(key, rv.name()) != null) {
                v.error("subunit", "same quantity, function, tariff and subunit as '" + keys.get(key)
                        + "': the readings would share a measurement key; give a phase or subunit");
                continue;
            }
            values.add(rv);
        }
        root.finish();
        if (!yaml.errors().isEmpty()) return new Result(null, yaml.errors());
        try {
            return new Result(new MeterProfile(name, manufacturer, model, maxBlock, maxBits, maxGap, values), List.of());
        } catch (IllegalArgumentException e) {
            root.error("values", e.getMessage());
            return new Result(null, yaml.errors());
        }
    }

    private record Defaults(String function, String type, String wordOrder, String byteOrder, String notAvailable) {
    }

    private static RegisterValue value(Settings v, Defaults defaults, int maxBlock) {
        String name = v.requiredString("name");
        Integer register = register(v);
        int function = Integer.parseInt(v.choice("function", defaults.function, FUNCTIONS));
        String typeName = v.string("type", defaults.type == null ? (function <= 2 ? "bool" : null) : (function <= 2 ? "bool" : defaults.type));
        DataType type = typeName == null ? null : DataType.ofWireName(typeName);
        if (typeName == null) v.error("type", "required (no default type): one of " + typeNames());
        else if (type == null) v.error("type", "unknown type '" + typeName + "'; one of " + typeNames());
        else if ((function <= 2) != (type == DataType.BOOL)) {
            v.error("type", "function codes 1 and 2 read status bits (type bool); 3 and 4 read registers");
            type = null;
        } else if (type.words() > maxBlock) {
            v.error("type", "needs " + type.words() + " registers, more than max_block " + maxBlock);
            type = null;
        }
        boolean lowFirst = "low_first".equals(v.choice("word_order", defaults.wordOrder, WORD_ORDERS));
        boolean littleBytes = "little".equals(v.choice("byte_order", defaults.byteOrder, BYTE_ORDERS));
        boolean allOnes = "all_ones".equals(v.choice("not_available", defaults.notAvailable, NOT_AVAILABLE));
        BigDecimal scale = scale(v);
        Quantity quantity = quantity(v);
        String unitText = v.string("unit", "");
        MeterUnit unit = MeterUnit.text(unitText);
        if (v.has("unit") && (unit == null || unit.canonical() == null)) {
            v.error("unit", "unknown unit '" + unitText + "' (e.g. Wh, kWh, W, kW, var, VA, V, A, Hz, m3, l, m3/h, GJ, MJ, °C, K, bar, s, h, %)");
            unit = null;
        }
        if (quantity != null && unit == null && !v.has("unit")) {
            if (quantity.units().size() == 1) unit = new MeterUnit(quantity.units().iterator().next(), "", BigDecimal.ONE);
            else v.error("unit", "required for " + quantity.wireName());
        }
        if (quantity != null && unit != null && unit.canonical() != null && !quantity.units().contains(unit.canonical())) {
            v.error("unit", unitText + " is not a unit of " + quantity.wireName());
            unit = null;
        }
        MeasurementFunction measurement = MeasurementFunction.ofWireName(
                v.choice("measurement", "instantaneous", Set.of("instantaneous", "maximum", "minimum")));
        int tariff = v.integer("tariff", 0, 0, 255);
        String phase = v.choice("phase", null, PHASES);
        int subunit = v.integer("subunit", phase == null ? 0 : List.of("L1", "L2", "L3", "N").indexOf(phase) + 1, 0, 1_000_000);
        if (name == null || register == null || type == null || scale == null || quantity == null || unit == null) return null;
        try {
            return new RegisterValue(name, function, register, type, lowFirst, littleBytes, allOnes, scale, quantity,
                    unit.canonical(), unit.factor(), measurement, tariff, subunit, 0);
        } catch (IllegalArgumentException e) {
            v.error("register", e.getMessage());
            return null;
        }
    }

    private static Integer register(Settings v) {
        String text = v.requiredString("register");
        if (text == null) return null;
        try {
            int r = Integer.decode(text.trim().replace("_", ""));
            if (r < 0 || r > 0xFFFF) throw new NumberFormatException();
            return r;
        } catch (NumberFormatException e) {
            v.error("register", "expected a 0-based register address 0..65535 (decimal or 0x hex), got '" + text + "'");
            return null;
        }
    }

    /** {@code scale: n} (times 10^n) or {@code factor: x} (times x); neither: 1. */
    private static BigDecimal scale(Settings v) {
        if (v.has("scale") && v.has("factor")) {
            v.error("factor", "give scale (a power of ten) or factor, not both");
            return null;
        }
        if (v.has("scale")) return BigDecimal.ONE.scaleByPowerOfTen(v.integer("scale", 0, -12, 12));
        String f = v.string("factor", null);
        if (f == null) return BigDecimal.ONE;
        try {
            BigDecimal x = new BigDecimal(f.trim());
            if (x.signum() == 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            v.error("factor", "expected a non-zero decimal number such as 0.001, got '" + f + "'");
            return null;
        }
    }

    private static Quantity quantity(Settings v) {
        String q = v.requiredString("quantity");
        if (q == null) return null;
        try {
            return Quantity.ofWireName(q);
        } catch (IllegalArgumentException e) {
            List<String> known = new ArrayList<>();
            for (Quantity x : Quantity.values()) known.add(x.wireName());
            v.error("quantity", "unknown quantity '" + q + "'; one of " + String.join(", ", known));
            return null;
        }
    }

    private static String typeNames() {
        List<String> out = new ArrayList<>();
        for (DataType t : DataType.values()) out.add(t.wireName());
        return String.join(", ", out).toLowerCase(Locale.ROOT);
    }
}
