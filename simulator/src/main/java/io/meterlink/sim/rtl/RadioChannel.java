package io.meterlink.sim.rtl;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The air between virtual meters and a receiver, as unsigned 8-bit I/Q samples (the rtl_tcp format):
 * Gaussian noise at a set signal-to-noise ratio, plus every scheduled transmission keyed on and off
 * by its chips, each with its own carrier offset from the tuned frequency and phase. Overlapping
 * transmissions add up (collisions). Time is counted in samples. Not thread-safe.
 */
public final class RadioChannel {
    /** Carrier amplitude of a transmission, in u8 steps around the 127.4 centre. */
    public static final double AMPLITUDE = 50;
    private static final int NOISE_TABLE = 1 << 20;

    /** One packet on the air from {@code start} (a sample index). */
    public record Transmission(long start, byte[] chips, double offsetHz, Runnable onSent, double amplitude) {
        /** At the full carrier amplitude. */
        public Transmission(long start, byte[] chips, double offsetHz, Runnable onSent) {
            this(start, chips, offsetHz, onSent, AMPLITUDE);
        }
    }

    private final int chipLength;
    private final long sampleRate;
    private final float[] noise;
    private final Random random;
    private final List<Transmission> active = new ArrayList<>();
    private double sigma;
    private long now;

    /**
     * @param snrDb signal power over noise power per sample (both I/Q), or {@code +Infinity} for no noise
     */
    public RadioChannel(int chipLength, double snrDb, long seed) {
        this.chipLength = chipLength;
        this.sampleRate = 32_768L * chipLength;
        this.random = new Random(seed);
        this.noise = new float[NOISE_TABLE];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) random.nextGaussian();
        setSnr(snrDb);
    }

    public void setSnr(double snrDb) {
        this.sigma = Double.isInfinite(snrDb) ? 0 : AMPLITUDE / Math.sqrt(2 * Math.pow(10, snrDb / 10));
    }

    public int chipLength() { return chipLength; }

    /** The sample index of the next sample {@link #render} writes. */
    public long now() { return now; }

    /** Samples a packet of {@code chips} lasts. */
    public long duration(byte[] chips) { return (long) chips.length * chipLength; }

    public void schedule(Transmission t) { active.add(t); }

    /** Writes the next {@code samples} samples (2 bytes each) into {@code out}; returns the callbacks of the transmissions that ended here. */
    public List<Runnable> render(byte[] out, int samples) {
        List<Runnable> ended = new ArrayList<>();
        int nOff = random.nextInt(NOISE_TABLE);
        float s = (float) sigma;
        float[] buf = new float[samples * 2];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = noise[nOff] * s;
            if (++nOff == NOISE_TABLE) nOff = 0;
        }
        long end = now + samples;
        for (int k = 0; k < active.size(); ) {
            Transmission t = active.get(k);
            long tEnd = t.start + duration(t.chips);
            if (t.start < end && tEnd > now) {
                long from = Math.max(now, t.start), to = Math.min(end, tEnd);
                double w = 2 * Math.PI * t.offsetHz / sampleRate;
                for (long x = from; x < to; x++) {
                    if (t.chips[(int) ((x - t.start) / chipLength)] == 0) continue;
                    double ph = w * (x - t.start) + t.start % 7;
                    int at = (int) (x - now) * 2;
                    buf[at] += (float) (t.amplitude * Math.cos(ph));
                    buf[at + 1] += (float) (t.amplitude * Math.sin(ph));
                }
            }
            if (tEnd <= end) {
                active.remove(k);
                if (t.onSent != null) ended.add(t.onSent);
            } else {
                k++;
            }
        }
        for (int i = 0; i < buf.length; i++) {
            int v = Math.round(127.4f + buf[i]);
            out[i] = (byte) (v < 0 ? 0 : Math.min(v, 255));
        }
        now = end;
        return ended;
    }
}
