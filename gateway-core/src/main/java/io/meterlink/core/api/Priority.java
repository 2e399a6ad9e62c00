package io.meterlink.core.api;

/**
 * Eviction priority of a stored reading. When the buffer is full, the lowest priority goes first,
 * oldest first within a priority; billing registers go last.
 */
public enum Priority {
    /** Diagnostics: signal strength, durations, error flags. */
    DIAGNOSTIC,
    /** Instantaneous process values: flow, power, temperatures. */
    NORMAL,
    /** Cumulative billing registers (volume, energy, mass, heat cost allocation). */
    BILLING;

    public static Priority of(Reading r) {
        Quantity q = r.quantity();
        if (q.isBillingRegister() && r.function() == MeasurementFunction.INSTANTANEOUS) return BILLING;
        return switch (q) {
            case SIGNAL_STRENGTH, ON_TIME, OPERATING_TIME, AVERAGING_DURATION, ACTUALITY_DURATION, ERROR_FLAGS -> DIAGNOSTIC;
            default -> NORMAL;
        };
    }
}
