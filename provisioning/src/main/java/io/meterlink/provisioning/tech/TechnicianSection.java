package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.config.ConfigSection;
import io.meterlink.core.config.GatewayConfig;

import java.util.OptionalInt;

/**
 * Declares the {@code technician_endpoint:} section to the configuration loader (registered in
 * {@code META-INF/services}): {@code enabled}, {@code button_pin}, {@code button_active_low} and the
 * keys of {@link TechEndpointConfig#from}. Stateless.
 */
public final class TechnicianSection implements ConfigSection<TechnicianSettings> {
    public static final String KEY = "technician_endpoint";
    /** Highest BCM GPIO number on a Raspberry Pi header. */
    static final int MAX_BCM_PIN = 27;

    @Override public String key() { return KEY; }

    @Override public TechnicianSettings bind(Settings s) {
        boolean enabled = s.bool("enabled", true);
        OptionalInt pin = s.has("button_pin") ? OptionalInt.of(s.integer("button_pin", 0, 0, MAX_BCM_PIN)) : OptionalInt.empty();
        boolean activeLow = s.bool("button_active_low", true);
        TechEndpointConfig endpoint = TechEndpointConfig.from(s); // finishes s
        return new TechnicianSettings(enabled, endpoint, pin, activeLow);
    }

    /** The section of {@code config}, or the defaults when the loader did not know it. */
    public static TechnicianSettings of(GatewayConfig config) {
        return config.section(new TechnicianSection(), TechnicianSettings.class).orElseGet(TechnicianSettings::defaults);
    }
}
