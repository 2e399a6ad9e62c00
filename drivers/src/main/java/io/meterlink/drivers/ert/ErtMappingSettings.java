package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Settings;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys that turn packets into readings, shared by the {@code ert} and {@code rtlamr} drivers:
 * {@code dedup_window}, {@code multipliers} (per commodity; electric defaults to 1000, register kWh
 * to Wh) and {@code meters} (per-meter {@code multiplier}). Immutable.
 */
record ErtMappingSettings(Duration dedupWindow, Map<ErtTypes.Commodity, BigDecimal> multipliers, Map<MeterId, BigDecimal> perMeter) {

    ErtReadingMapper mapper() { return new ErtReadingMapper(multipliers, perMeter); }

    /** Reads the keys; {@code null} after recording errors. */
    static ErtMappingSettings read(Settings s) {
        boolean ok = true;
        Duration dedup = s.get(ErtKeys.DEDUP_WINDOW);
        Map<ErtTypes.Commodity, BigDecimal> multipliers = new EnumMap<>(ErtTypes.Commodity.class);
        Settings m = s.get(ErtKeys.MULTIPLIERS);
        for (ErtTypes.Commodity c : ErtTypes.Commodity.values()) {
            ConfigKey<String> key = ErtKeys.MULTIPLIER.get(c);
            String v = m.get(key);
            BigDecimal d = decimal(m, key.local(), v);
            if (d == null) ok = false;
            else multipliers.put(c, d);
        }
        m.finish();
        Map<MeterId, BigDecimal> perMeter = new HashMap<>();
        for (Settings meter : s.get(ErtKeys.METERS)) {
            String id = meter.get(ErtKeys.METER_ID);
            String v = meter.get(ErtKeys.METER_MULTIPLIER);
            meter.finish();
            if (id == null) {
                ok = false;
                continue;
            }
            MeterId mid;
            try {
                mid = MeterId.of(id);
                if (!mid.family().equals("ert")) throw new IllegalArgumentException("not an ert meter id");
            } catch (IllegalArgumentException e) {
                meter.error(ErtKeys.METER_ID, "must be ert:<ERT type>:<id> or ert:r900:<id>, got '" + id + "'");
                ok = false;
                continue;
            }
            BigDecimal d = decimal(meter, ErtKeys.METER_MULTIPLIER.local(), v);
            if (d == null) ok = false;
            else if (perMeter.put(mid, d) != null) {
                meter.error(ErtKeys.METER_ID, "meter " + id + " is listed twice");
                ok = false;
            }
        }
        return ok ? new ErtMappingSettings(dedup, multipliers, perMeter) : null;
    }

    private static BigDecimal decimal(Settings s, String key, String v) {
        try {
            BigDecimal d = new BigDecimal(v.trim());
            if (d.signum() <= 0) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            s.error(key, "must be a positive decimal number, got '" + v + "'");
            return null;
        }
    }
}
