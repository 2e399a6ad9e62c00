package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;

/**
 * One named value a driver file adds to a telegram, in the same model as a generic record: quantity,
 * canonical unit, exact value, storage, tariff and subunit; or a text (a status looked up in a
 * table). Immutable.
 *
 * @param driver   the driver file's name
 * @param name     the field's name in the driver file (e.g. {@code total}, {@code month_3})
 * @param quantity what is measured, or {@code null} for a text or a plain number
 * @param unit     canonical unit ({@link Unit#M3}, {@link Unit#WH}, …), or {@code null}
 * @param value    exact value in {@code unit}, or {@code null} for a text
 * @param text     a text value, or {@code null}
 * @param reading  true when the value becomes a reading of its own (false when it only names a
 *                 generic record that already is one)
 */
public record DriverValue(String driver, String name, Quantity quantity, Unit unit, BigDecimal value, String text,
                          int storage, int tariff, int subunit, boolean reading) {}
