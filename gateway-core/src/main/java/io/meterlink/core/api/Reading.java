package io.meterlink.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One value read from one meter, already scaled into a canonical {@link Unit}. Immutable; validated
 * on construction.
 *
 * @param meter      the meter that sent it
 * @param quantity   what was measured
 * @param unit       canonical unit, one of {@link Quantity#units()}
 * @param value      exact decimal value in {@code unit}
 * @param function   instantaneous, maximum, minimum or error-state value
 * @param storage    storage number (0 = current value; higher = historic values such as due-date registers)
 * @param tariff     tariff register (0 = total)
 * @param subunit    device / sub-unit (0 = the meter itself)
 * @param meterTime  the meter's own timestamp for this value, or {@code null} when it sends none
 * @param receivedAt when the gateway received the frame
 * @param status     the meter's status byte/flags (0 = no error)
 * @param rssiDbm    signal strength of the frame in dBm when the radio reports it, else {@code null}
 */
public record Reading(
        MeterId meter,
        Quantity quantity,
        Unit unit,
        BigDecimal value,
        MeasurementFunction function,
        int storage,
        int tariff,
        int subunit,
        Instant meterTime,
        Instant receivedAt,
        int status,
        Integer rssiDbm) {

    public Reading {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (!quantity.units().contains(unit)) {
            throw new IllegalArgumentException("unit " + unit.symbol() + " is not valid for " + quantity.wireName());
        }
        if (storage < 0 || tariff < 0 || subunit < 0) {
            throw new IllegalArgumentException("storage, tariff and subunit must be >= 0");
        }
        if (rssiDbm != null && (rssiDbm < -200 || rssiDbm > 50)) {
            throw new IllegalArgumentException("rssi out of range: " + rssiDbm);
        }
    }

    /** A current instantaneous value of the meter itself (storage 0, tariff 0, sub-unit 0). */
    public static Reading of(MeterId meter, Quantity quantity, Unit unit, BigDecimal value, Instant meterTime, Instant receivedAt) {
        return new Reading(meter, quantity, unit, value, MeasurementFunction.INSTANTANEOUS, 0, 0, 0, meterTime, receivedAt, 0, null);
    }

    /**
     * The measurement key of DESIGN.md and docs/payloads.md ({@code meter|quantity|storage|tariff|subunit|function|time},
     * built by the payload library's {@code MeasurementKey}); the same for the same
     * measurement even when two gateways hear the same radio meter. Uses the meter time when the
     * meter sends one, else the gateway's receive time.
     */
    public String measurementKey() {
        return io.meterlink.payload.MeasurementKey.of(meter.toString(), quantity.wireName(), storage, tariff, subunit,
                function.wireName(), meterTime, receivedAt);
    }
}
