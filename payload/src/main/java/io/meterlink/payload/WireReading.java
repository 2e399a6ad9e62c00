package io.meterlink.payload;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One reading as it travels to the head-end, in either payload format (docs/payloads.md, "One
 * reading"). Names are the wire names ({@code "volume"}, {@code "m3"}, {@code "instantaneous"}).
 * Immutable.
 *
 * @param seq       gateway sequence number; {@code (gw, seq)} identifies the reading
 * @param meter     {@code <family>:<manufacturer>:<id>}
 * @param quantity  what was measured
 * @param unit      canonical unit symbol
 * @param value     the exact decimal, scale kept
 * @param function  {@code instantaneous}, {@code maximum}, {@code minimum}, {@code error} or {@code average}
 * @param storage   storage number (0 = current value), never negative
 * @param tariff    tariff register (0 = total), never negative
 * @param subunit   device / sub-unit (0 = the meter itself), never negative
 * @param meterTime the meter's timestamp, or {@code null} when it sent none
 * @param received  when the gateway received the frame
 * @param status    the meter's status flags
 * @param rssi      signal strength in dBm, or {@code null}
 */
public record WireReading(
        long seq,
        String meter,
        String quantity,
        String unit,
        BigDecimal value,
        String function,
        int storage,
        int tariff,
        int subunit,
        Instant meterTime,
        Instant received,
        int status,
        Integer rssi) {

    public WireReading {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(received, "received");
        if (storage < 0 || tariff < 0 || subunit < 0) {
            throw new IllegalArgumentException("storage, tariff and subunit must be >= 0");
        }
    }

    /** The measurement key, rebuilt from the fields ({@link MeasurementKey}). */
    public String measurementKey() {
        return MeasurementKey.of(meter, quantity, storage, tariff, subunit, function, meterTime, received);
    }
}
