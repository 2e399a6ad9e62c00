package io.meterlink.drivers.pulse;

import java.io.IOException;
import java.util.function.IntToLongFunction;

/**
 * The GPIO inputs of one {@code pulse} source: raw edges in, acknowledgements of durable counts out.
 * The only implementation reads them through Pi4J ({@link Pi4jLines}); tests may give their own.
 */
interface PulseLines extends AutoCloseable {
    /** Where the lines report edges; called on a provider's thread, must not block. */
    interface Edges {
        /**
         * @param input  the input's index in the configuration
         * @param active the new level is the pulse level
         * @param nanos  {@link System#nanoTime()} of the edge
         * @param tag    the simulator's pulse number that caused it, 0 on real GPIO
         */
        void edge(int input, boolean active, long nanos, long tag);
    }

    /**
     * Opens every input and starts reporting edges. Returns each input's level (active or not) at open.
     *
     * @param committedSeq the last simulator pulse number durably counted for an input (its wire resumes after it)
     * @throws IOException the provider or a line is unavailable (retried by the driver)
     */
    boolean[] open(Edges edges, IntToLongFunction committedSeq) throws IOException;

    /** How long after an edge its level may be taken: edges that travel (the simulator's wire) may arrive this late. */
    default long settleLagNanos() { return 0; }

    /** Pulses of {@code input} up to simulator pulse number {@code wireSeq} are durable (a no-op on real GPIO). */
    void committed(int input, long wireSeq);

    /** Releases the lines; idempotent. */
    @Override void close();

    static PulseLines forProvider(PulseDriverConfig config) {
        return new Pi4jLines(config);
    }
}
