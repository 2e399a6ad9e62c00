package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.config.ConfigSection;
import io.meterlink.core.config.GatewayConfig;

import java.util.List;
import java.util.OptionalInt;

/**
 * Declares the {@code technician_endpoint:} section to the configuration loader (registered in
 * {@code META-INF/services}): {@code enabled}, {@code button_pin}, {@code button_active_low} and the
 * keys of {@link TechEndpointConfig#from}. Stateless.
 */
public final class TechnicianSection implements ConfigSection<TechnicianSettings> {
    public static final String KEY = "technician_endpoint";
    /** Highest BCM GPIO number on a Raspberry Pi header. */
    static final int MAX_BCM_PIN = TechnicianKeys.MAX_BCM_PIN;

    @Override public String key() { return KEY; }

    @Override public List<KeyGroup> keys() { return List.of(TechnicianKeys.GROUP); }

    @Override public TechnicianSettings bind(Settings s) {
        boolean enabled = s.get(TechnicianKeys.ENABLED);
        Integer buttonPin = s.get(TechnicianKeys.BUTTON_PIN);
        OptionalInt pin = buttonPin == null ? OptionalInt.empty() : OptionalInt.of(buttonPin);
        boolean activeLow = s.get(TechnicianKeys.BUTTON_ACTIVE_LOW);
        TechEndpointConfig endpoint = TechEndpointConfig.from(s); // finishes s
        return new TechnicianSettings(enabled, endpoint, pin, activeLow);
    }

    /** The section of {@code config}, or the defaults when the loader did not know it. */
    public static TechnicianSettings of(GatewayConfig config) {
        return config.section(new TechnicianSection(), TechnicianSettings.class).orElseGet(TechnicianSettings::defaults);
    }
}
