package io.meterlink.drivers.pulse;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/** The keys of a pulse-counter source ({@code driver: pulse}: S0 or reed contacts on GPIO inputs). */
public final class PulseKeys {
    private PulseKeys() {
    }

    public static final ConfigKey<String> PROVIDER = ConfigKey.choice("provider", "gpiod", List.of("gpiod", "mock"),
            "Pi4J provider: the board's GPIO, or the mock driven over `wire` by the simulator");
    public static final ConfigKey<Duration> INTERVAL = ConfigKey.duration("interval", Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofDays(1),
            "read-out of each register plus the derived power (W) or flow (m3/h) since the last read-out");
    public static final ConfigKey<Duration> STUCK_AFTER = ConfigKey.duration("stuck_after", Duration.ofMinutes(10),
            Duration.ZERO, Duration.ofDays(7),
            "an input held at its pulse level longer raises `input_stuck` (cleared when it goes idle); `0` = never");
    public static final ConfigKey<List<Settings>> INPUTS = ConfigKey.sections("inputs[]", "the inputs, each a meter, at least one")
            .defaultDescribed("required");
    public static final ConfigKey<String> ID = ConfigKey.required("inputs[].id", "meter id `pulse:s0:<id>`")
            .describedAs("1–40 of `[A-Za-z0-9._-]`");
    public static final ConfigKey<Integer> PIN = ConfigKey.integer("inputs[].pin", null, 0, 511,
            "the GPIO line (BCM numbering), unique in the source").defaultDescribed("required");
    public static final ConfigKey<String> PULL = ConfigKey.choice("inputs[].pull", "up", List.of("up", "down", "off"),
            "the input's bias resistor");
    public static final ConfigKey<String> EDGE = ConfigKey.choice("inputs[].edge", "falling", List.of("falling", "rising"),
            "the pulse's leading edge: `falling` for an open collector to ground");
    public static final ConfigKey<Duration> DEBOUNCE = ConfigKey.duration("inputs[].debounce", Duration.ofMillis(25),
            Duration.ZERO, Duration.ofSeconds(1), "a level counts once it held this long (see \"Debounce\")");
    public static final ConfigKey<BigDecimal> PULSES_PER_UNIT = ConfigKey.decimal("inputs[].pulses_per_unit", null,
            BigDecimal.ZERO, true, new BigDecimal("1000000000"), "e.g. `1000` (imp/kWh), `0.1` (imp/l)")
            .defaultDescribed("required");
    public static final ConfigKey<String> UNIT = ConfigKey.choice("inputs[].unit", "kWh", List.of("kWh", "Wh", "m3", "l"),
            "energy registers are published in Wh, volumes in m3");
    public static final ConfigKey<BigDecimal> START_VALUE = ConfigKey.decimal("inputs[].start_value", BigDecimal.ZERO,
            BigDecimal.ZERO, false, new BigDecimal("1000000000000"),
            "the register (in `unit`) when counting began; a new value restarts the count from it");
    public static final ConfigKey<String> WIRE = ConfigKey.text("inputs[].wire", null,
            "the simulator's pulse generator").describedAs("`host:port`").defaultDescribed("only with `mock`");

    public static final KeyGroup GROUP = KeyGroup.of("pulse", "", PROVIDER, INTERVAL, STUCK_AFTER, INPUTS, ID, PIN, PULL, EDGE,
            DEBOUNCE, PULSES_PER_UNIT, UNIT, START_VALUE, WIRE);
}
