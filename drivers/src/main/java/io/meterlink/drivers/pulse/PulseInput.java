package io.meterlink.drivers.pulse;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/**
 * One configured pulse input. Immutable.
 *
 * @param meter         the meter id of its readings ({@code pulse:s0:<id>})
 * @param bcmPin        the GPIO line (BCM numbering on a Raspberry Pi)
 * @param pull          the input's bias resistor
 * @param activeLow     the pulse pulls the line low (an S0 open collector to ground with a pull-up, {@code edge: falling})
 * @param debounce      how long a level must hold before it is taken (below the meter's pulse and pause width)
 * @param pulsesPerUnit pulses per configured unit, e.g. 1000 (imp/kWh) or 0.1 (imp/l: one pulse per 10 l)
 * @param unit          the configured unit: {@code kWh}, {@code Wh}, {@code m3} or {@code l}
 * @param startValue    the meter's register, in {@code unit}, when counting began (what its display showed)
 * @param wire          {@code host:port} of the simulator's pulse generator ({@code provider: mock} only), or {@code null}
 */
record PulseInput(MeterId meter, int bcmPin, Pull pull, boolean activeLow, Duration debounce, BigDecimal pulsesPerUnit,
                  String unit, BigDecimal startValue, String wire) {
    enum Pull { UP, DOWN, OFF }

    Quantity quantity() { return isEnergy() ? Quantity.ENERGY : Quantity.VOLUME; }

    Unit registerUnit() { return isEnergy() ? Unit.WH : Unit.M3; }

    /** The derived rate: power from energy, volume flow from volume. */
    Quantity rateQuantity() { return isEnergy() ? Quantity.POWER : Quantity.VOLUME_FLOW; }

    Unit rateUnit() { return isEnergy() ? Unit.W : Unit.M3_PER_H; }

    private boolean isEnergy() { return unit.toLowerCase(Locale.ROOT).endsWith("wh"); }

    /** Canonical units per configured unit: 1000 Wh per kWh, 0.001 m3 per l. */
    private BigDecimal factor() {
        return switch (unit) {
            case "kWh" -> BigDecimal.valueOf(1000);
            case "l" -> new BigDecimal("0.001");
            default -> BigDecimal.ONE;
        };
    }

    /** The register after {@code count} pulses, in {@link #registerUnit()}: exact where the division is, else 12 significant decimals. */
    BigDecimal register(long count) {
        BigDecimal units = BigDecimal.valueOf(count).divide(pulsesPerUnit, new MathContext(34, RoundingMode.HALF_EVEN));
        BigDecimal v = startValue.add(units).multiply(factor());
        if (v.scale() > 9) v = v.setScale(9, RoundingMode.HALF_EVEN);
        return v.stripTrailingZeros().scale() < 0 ? v.setScale(0) : v.stripTrailingZeros();
    }
}
