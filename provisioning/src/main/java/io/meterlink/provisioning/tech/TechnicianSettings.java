package io.meterlink.provisioning.tech;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The {@code technician_endpoint:} section of the gateway configuration, bound by {@link TechnicianSection}.
 *
 * @param enabled         whether {@code meterlink run} watches for the opening signals at all; the socket
 *                        stays unbound (closed) until a signal in any case
 * @param endpoint        the endpoint's own settings
 * @param buttonPin       BCM number of the service button's GPIO input; empty = no button
 * @param buttonActiveLow whether pressing pulls the line low (button to ground, pull-up)
 */
public record TechnicianSettings(boolean enabled, TechEndpointConfig endpoint, OptionalInt buttonPin, boolean buttonActiveLow) {
    public TechnicianSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(buttonPin, "buttonPin");
    }

    /** Enabled, no button, the endpoint's defaults ({@link TechEndpointConfig#defaults()}). */
    public static TechnicianSettings defaults() {
        return new TechnicianSettings(true, TechEndpointConfig.defaults(), OptionalInt.empty(), true);
    }
}
