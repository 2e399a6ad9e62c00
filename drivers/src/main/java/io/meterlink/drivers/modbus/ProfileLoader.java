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
        String manufacturer = root.get(ProfileKeys.MANUFACTURER);
        if (manufacturer != null && !MANUFACTURER.matcher(manufacturer).matches()) {
            root.error(ProfileKeys.MANUFACTURER, "must be 1 to 16 letters, digits, '@', '_' or '-' (it is part of the meter id)");
        }
        String model = root.get(ProfileKeys.MODEL);
        root.get(ProfileKeys.DESCRIPTION);
        int maxBlock = root.get(ProfileKeys.MAX_BLOCK);
        int maxBits = root.get(ProfileKeys.MAX_BITS);
        int maxGap = root.get(ProfileKeys.MAX_GAP);
        Settings d = root.get(ProfileKeys.DEFAULTS);
        Defaults defaults = new Defaults(d.get(ProfileKeys.FUNCTION), d.get(ProfileKeys.TYPE), d.get(ProfileKeys.WORD_ORDER),
                d.get(ProfileKeys.BYTE_ORDER), d.get(ProfileKeys.NOT_AVAILABLE));
        if (defaults.type != null && DataType.ofWireName(defaults.type) == null) d.error(ProfileKeys.TYPE, "unknown type; one of " + typeNames());
        d.finish();
        List<Settings> items = root.get(ProfileKeys.VALUES);
        if (items.isEmpty()) root.error(ProfileKeys.VALUES, "a profile needs at least one value");
        List<RegisterValue> values = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        for (Settings v : items) {
            RegisterValue rv = value(v, defaults, maxBlock);
            v.finish();
            if (rv == null) continue;
            if (names.putIfAbsent(rv.name(), v.path()) != null) {
                v.error(ProfileKeys.NAME, "value name '" + rv.name() + "' is also used by " + names.get(rv.name()));
                continue;
            }
            String key = rv.quantity().wireName() + "/" + rv.measurement().wireName() + "/tariff " + rv.tariff() + "/subunit " + rv.subunit();
            if (keys.putIfAbsent(key, rv.name()) != null) {
                v.error(ProfileKeys.SUBUNIT, "same quantity, function, tariff and subunit as '" + keys.get(key)
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
            root.error(ProfileKeys.VALUES, e.getMessage());
            return new Result(null, yaml.errors());
        }
    }

    private record Defaults(String function, String type, String wordOrder, String byteOrder, String notAvailable) {
    }

    private static RegisterValue value(Settings v, Defaults defaults, int maxBlock) {
        String name = v.get(ProfileKeys.NAME);
        Integer register = register(v);
        int function = Integer.parseInt(v.get(ProfileKeys.FUNCTION, defaults.function));
        String typeName = v.get(ProfileKeys.TYPE, function <= 2 ? "bool" : defaults.type);
        DataType type = typeName == null ? null : DataType.ofWireName(typeName);
        if (typeName == null) v.error(ProfileKeys.TYPE, "required (no default type): one of " + typeNames());
        else if (type == null) v.error(ProfileKeys.TYPE, "unknown type '" + typeName + "'; one of " + typeNames());
        else if ((function <= 2) != (type == DataType.BOOL)) {
            v.error(ProfileKeys.TYPE, "function codes 1 and 2 read status bits (type bool); 3 and 4 read registers");
            type = null;
        } else if (type.words() > maxBlock) {
            v.error(ProfileKeys.TYPE, "needs " + type.words() + " registers, more than max_block " + maxBlock);
            type = null;
        }
        boolean lowFirst = "low_first".equals(v.get(ProfileKeys.WORD_ORDER, defaults.wordOrder));
        boolean littleBytes = "little".equals(v.get(ProfileKeys.BYTE_ORDER, defaults.byteOrder));
        boolean allOnes = "all_ones".equals(v.get(ProfileKeys.NOT_AVAILABLE, defaults.notAvailable));
        BigDecimal scale = scale(v);
        Quantity quantity = quantity(v);
        String unitText = v.get(ProfileKeys.UNIT);
        MeterUnit unit = MeterUnit.text(unitText);
        if (v.has(ProfileKeys.UNIT) && (unit == null || unit.canonical() == null)) {
            v.error(ProfileKeys.UNIT, "unknown unit '" + unitText + "' (e.g. Wh, kWh, W, kW, var, VA, V, A, Hz, m3, l, m3/h, GJ, MJ, °C, K, bar, s, h, %)");
            unit = null;
        }
        if (quantity != null && unit == null && !v.has(ProfileKeys.UNIT)) {
            if (quantity.units().size() == 1) unit = new MeterUnit(quantity.units().iterator().next(), "", BigDecimal.ONE);
            else v.error(ProfileKeys.UNIT, "required for " + quantity.wireName());
        }
        if (quantity != null && unit != null && unit.canonical() != null && !quantity.units().contains(unit.canonical())) {
            v.error(ProfileKeys.UNIT, unitText + " is not a unit of " + quantity.wireName());
            unit = null;
        }
        MeasurementFunction measurement = MeasurementFunction.ofWireName(v.get(ProfileKeys.MEASUREMENT));
        int tariff = v.get(ProfileKeys.TARIFF);
        String phase = v.get(ProfileKeys.PHASE);
        int subunit = v.get(ProfileKeys.SUBUNIT, phase == null ? 0 : ProfileKeys.PHASE.choices().stream().toList().indexOf(phase) + 1);
        if (name == null || register == null || type == null || scale == null || quantity == null || unit == null) return null;
        try {
            return new RegisterValue(name, function, register, type, lowFirst, littleBytes, allOnes, scale, quantity,
                    unit.canonical(), unit.factor(), measurement, tariff, subunit, 0);
        } catch (IllegalArgumentException e) {
            v.error(ProfileKeys.REGISTER, e.getMessage());
            return null;
        }
    }

    private static Integer register(Settings v) {
        String text = v.get(ProfileKeys.REGISTER);
        if (text == null) return null;
        try {
            int r = Integer.decode(text.trim().replace("_", ""));
            if (r < 0 || r > 0xFFFF) throw new NumberFormatException();
            return r;
        } catch (NumberFormatException e) {
            v.error(ProfileKeys.REGISTER, "expected a 0-based register address 0..65535 (decimal or 0x hex), got '" + text + "'");
            return null;
        }
    }

    /** {@code scale: n} (times 10^n) or {@code factor: x} (times x); neither: 1. */
    private static BigDecimal scale(Settings v) {
        if (v.has(ProfileKeys.SCALE) && v.has(ProfileKeys.FACTOR)) {
            v.error(ProfileKeys.FACTOR, "give scale (a power of ten) or factor, not both");
            return null;
        }
        if (v.has(ProfileKeys.SCALE)) return BigDecimal.ONE.scaleByPowerOfTen(v.get(ProfileKeys.SCALE));
        String f = v.get(ProfileKeys.FACTOR);
        if (f == null) return BigDecimal.ONE;
        try {
            BigDecimal x = new BigDecimal(f.trim());
            if (x.signum() == 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            v.error(ProfileKeys.FACTOR, "expected a non-zero decimal number such as 0.001, got '" + f + "'");
            return null;
        }
    }

    private static Quantity quantity(Settings v) {
        String q = v.get(ProfileKeys.QUANTITY);
        if (q == null) return null;
        try {
            return Quantity.ofWireName(q);
        } catch (IllegalArgumentException e) {
            List<String> known = new ArrayList<>();
            for (Quantity x : Quantity.values()) known.add(x.wireName());
            v.error(ProfileKeys.QUANTITY, "unknown quantity '" + q + "'; one of " + String.join(", ", known));
            return null;
        }
    }

    private static String typeNames() {
        List<String> out = new ArrayList<>();
        for (DataType t : DataType.values()) out.add(t.wireName());
        return String.join(", ", out).toLowerCase(Locale.ROOT);
    }
}
