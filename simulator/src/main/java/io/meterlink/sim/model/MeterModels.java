package io.meterlink.sim.model;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Builds the named models used by the command line and scenario files. Each meter of a fleet
 * ({@code index} 0, 1, …) gets its own start total and consumption so that meters differ, yet the
 * fleet is the same on every run.
 */
public final class MeterModels {
    /** Every name {@link #named} accepts. */
    public static final List<String> NAMES = List.of("constant", "water", "leak", "reverse", "stuck", "silent", "drift");

    private MeterModels() {}

    /**
     * @param name       one of {@link #NAMES}: {@code constant} (steady 600 l/h), {@code water} (household
     *                   daily profile), and on top of that profile {@code leak} (+20 l/h from {@code start + faultAfter}),
     *                   {@code reverse} (register runs back at 200 l/h for 10 min from {@code start + faultAfter}),
     *                   {@code stuck} (register frozen from {@code start + faultAfter}), {@code silent}
     *                   (never answers from {@code start + faultAfter}), {@code drift} (clock +500 ppm from {@code start})
     * @param start      simulator time at which the meter is installed
     * @param offset     local time of the meter (profile hours)
     * @param faultAfter when the model's fault begins, counted from {@code start}
     * @throws IllegalArgumentException for an unknown name, naming the valid ones
     */
    public static MeterModel named(String name, Instant start, ZoneOffset offset, int index, Duration faultAfter) {
        long startLitres = 10_000L + index * 1_237L % 5_000_000L;
        int percent = 60 + (index * 37) % 81; // 60 .. 140 % of the household profile
        Instant fault = start.plus(faultAfter);
        MeterModel water = DailyProfile.household(start, startLitres, offset, percent);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "constant" -> new ConstantFlow(start, startLitres, 600);
            case "water" -> water;
            case "leak" -> new Leak(water, fault, 20);
            case "reverse" -> new ReverseFlow(water, fault, Duration.ofMinutes(10), 200);
            case "stuck" -> new StuckRegister(water, fault);
            case "silent" -> new SilentFrom(water, fault);
            case "drift" -> new ClockDrift(water, start, 500);
            default -> throw new IllegalArgumentException("unknown meter model '" + name + "', expected one of " + NAMES);
        };
    }
}
