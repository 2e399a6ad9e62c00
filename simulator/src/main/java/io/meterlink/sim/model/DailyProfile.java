package io.meterlink.sim.model;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Water use that follows a daily profile: a flow (l/h) for each hour of the local day, the same
 * every day, integrated exactly (millilitre resolution) so the total is a pure, rising function of
 * time. Hours are in a fixed UTC offset (no daylight-saving jumps). Immutable.
 */
public final class DailyProfile implements MeterModel {
    /** A household of about 2–3 people (390 l/day): nothing at night, a morning peak 06–09, an evening peak 18–22. */
    public static final long[] HOUSEHOLD = {
            0, 0, 0, 0, 0, 0, 40, 60, 30, 10, 10, 10,
            20, 10, 10, 10, 10, 15, 30, 45, 40, 25, 10, 5};

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;

    private final Instant start;
    private final long startLitres;
    private final ZoneOffset offset;
    private final long[] litresPerHour;
    private final long[] prefix = new long[25]; // litres used in the local day before hour h
    private final long startMl;

    /**
     * @param start         from this instant the total rises from {@code startLitres}; before it, it shows {@code startLitres}
     * @param offset        the meter's local time for the profile hours
     * @param litresPerHour 24 flows in l/h, hour 0 first, each >= 0
     */
    public DailyProfile(Instant start, long startLitres, ZoneOffset offset, long[] litresPerHour) {
        if (litresPerHour.length != 24) throw new IllegalArgumentException("24 hourly flows");
        if (startLitres < 0) throw new IllegalArgumentException("startLitres >= 0");
        this.start = start;
        this.startLitres = startLitres;
        this.offset = offset;
        this.litresPerHour = litresPerHour.clone();
        for (int h = 0; h < 24; h++) {
            if (litresPerHour[h] < 0) throw new IllegalArgumentException("hourly flows >= 0");
            prefix[h + 1] = prefix[h] + litresPerHour[h];
        }
        this.startMl = millilitres(start);
    }

    /** The household profile scaled by {@code percent} (100 = {@link #HOUSEHOLD}). */
    public static DailyProfile household(Instant start, long startLitres, ZoneOffset offset, int percent) {
        long[] p = new long[24];
        for (int h = 0; h < 24; h++) p[h] = HOUSEHOLD[h] * percent / 100;
        return new DailyProfile(start, startLitres, offset, p);
    }

    /** Litres used per day. */
    public long litresPerDay() { return prefix[24]; }

    /** Millilitres used since the local day 0 of the epoch up to {@code t}: rising, continuous at hour edges. */
    private long millilitres(Instant t) {
        long local = t.toEpochMilli() + offset.getTotalSeconds() * 1000L;
        long day = Math.floorDiv(local, DAY_MS);
        long inDay = Math.floorMod(local, DAY_MS);
        int hour = (int) (inDay / HOUR_MS);
        long inHour = inDay % HOUR_MS;
        return day * prefix[24] * 1000 + prefix[hour] * 1000 + litresPerHour[hour] * inHour / 3600;
    }

    private int hour(Instant t) {
        long local = t.toEpochMilli() + offset.getTotalSeconds() * 1000L;
        return (int) (Math.floorMod(local, DAY_MS) / HOUR_MS);
    }

    @Override
    public Registers at(Instant t) {
        if (t.isBefore(start)) return new Registers(startLitres, 0, t);
        return new Registers(startLitres + (millilitres(t) - startMl) / 1000, litresPerHour[hour(t)], t);
    }

    @Override public String name() { return "water"; }

    @Override public String toString() { return "DailyProfile[" + litresPerDay() + " l/day, offset " + offset + ", from " + start + "]"; }

    static long overlapMs(Instant from, Duration length, Instant t) {
        long ms = Duration.between(from, t).toMillis();
        if (ms <= 0) return 0;
        return length == null ? ms : Math.min(ms, length.toMillis());
    }
}
