package io.meterlink.core.api;

import java.util.Locale;

/** The function field of a value (EN 13757-3 §6.3.2): instantaneous, maximum, minimum, value during error state. */
public enum MeasurementFunction {
    INSTANTANEOUS, MAXIMUM, MINIMUM, ERROR;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static MeasurementFunction ofWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
