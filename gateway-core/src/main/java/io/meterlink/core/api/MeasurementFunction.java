package io.meterlink.core.api;

import java.util.Locale;

/**
 * The function of a value: the four of the M-Bus function field (EN 13757-3 §6.3.2: instantaneous,
 * maximum, minimum, value during error state; in that order, the field's codes 0–3), then
 * {@code average}, a mean over a demand period (OBIS D 4, 5, 24, 25: e.g. e-MUCS 1-0:1.4.0).
 */
public enum MeasurementFunction {
    INSTANTANEOUS, MAXIMUM, MINIMUM, ERROR, AVERAGE;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static MeasurementFunction ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
