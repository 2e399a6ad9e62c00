package io.meterlink.sim.model;

import java.time.Instant;

/**
 * How a virtual meter behaves over time: the value of each register at an instant of the
 * simulator's (true) time, and whether the meter answers (wired) or transmits (wireless) then.
 * A model is a pure function of the instant: asking twice for the same instant gives the same
 * registers, and instants may be asked in any order. Implementations are immutable and thread-safe.
 *
 * <p>Totals only ever rise: for {@code t1 <= t2}, {@code at(t1).volumeLitres() <= at(t2).volumeLitres()}
 * unless {@link #totalMayFall()} says otherwise.
 */
public interface MeterModel {
    /** The registers at simulator time {@code t}. */
    Registers at(Instant t);

    /** True when the meter answers a request (or transmits) at simulator time {@code t}. */
    default boolean answers(Instant t) { return true; }

    /** True when this model may let the volume total fall (reverse flow running the register back). */
    default boolean totalMayFall() { return false; }

    /** Short name for logs and the command line (e.g. {@code water}, {@code leak}). */
    String name();

    /**
     * The registers a meter shows at one instant.
     *
     * @param volumeLitres      the volume total register in litres (whole litres, never negative)
     * @param flowLitresPerHour the instantaneous flow in l/h (negative while water flows backwards)
     * @param meterTime         the meter's own clock at that instant (differs from true time under drift)
     */
    record Registers(long volumeLitres, long flowLitresPerHour, Instant meterTime) {
        public Registers {
            if (volumeLitres < 0) throw new IllegalArgumentException("volume register is never negative: " + volumeLitres);
            java.util.Objects.requireNonNull(meterTime, "meterTime");
        }

        Registers withVolume(long litres, long flow) { return new Registers(litres, flow, meterTime); }

        Registers withMeterTime(Instant t) { return new Registers(volumeLitres, flowLitresPerHour, t); }
    }
}
