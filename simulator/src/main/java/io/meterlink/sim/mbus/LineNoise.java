package io.meterlink.sim.mbus;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bad input on purpose on an M-Bus line: installed on a {@link VirtualMbusBus} (see
 * {@link #install}), it garbles answers at configured rates — garbage bytes before the answer, a
 * wrong checksum, a truncated frame — and makes chosen meters answer late. Works on every endpoint
 * serving the bus (TCP, pty, in-process); late answers need a real byte pipe (TCP or pty), since
 * the in-process line hands the answer over when the delay ends, however long it was.
 *
 * <p>Each rate is a probability per answer (0..1); at most one kind of damage is chosen per answer
 * (garbage, then CRC error, then truncation are tried in that order). Garbage bytes never include a
 * frame start (0x68, 0x10) or an ACK (0xE5), so it is noise a correct framer skips, not a
 * different valid frame. The same seed gives the same damage for the same sequence of answers.
 * Thread-safe.
 */
public final class LineNoise implements VirtualMbusBus.AnswerFilter {
    private final double garbageRate;
    private final double crcErrorRate;
    private final double truncateRate;
    private final int maxGarbageBytes;
    private final Random random;
    private final Map<Integer, Duration> lateMeters = new ConcurrentHashMap<>();
    private final AtomicLong garbage = new AtomicLong();
    private final AtomicLong crcErrors = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong answers = new AtomicLong();

    /**
     * Counters since the noise was created.
     *
     * @param answers   answers that passed through
     * @param garbage   answers preceded by garbage bytes
     * @param crcErrors answers sent with a wrong checksum
     * @param truncated answers cut short
     * @param late      answers delayed
     */
    public record Stats(long answers, long garbage, long crcErrors, long truncated, long late) {
        /** Answers damaged so that the master cannot use them as they are (CRC error or truncated). */
        public long unusable() { return crcErrors + truncated; }
    }

    /**
     * @param garbageRate     probability that garbage bytes precede an answer
     * @param crcErrorRate    probability that an answer's checksum is wrong (EN 13757-2 §5.1: arithmetic sum of C..data)
     * @param truncateRate    probability that an answer is cut short
     * @param maxGarbageBytes 1.. bytes of garbage per burst (the length is random up to this)
     */
    public LineNoise(double garbageRate, double crcErrorRate, double truncateRate, int maxGarbageBytes, long seed) {
        for (double r : new double[] {garbageRate, crcErrorRate, truncateRate}) {
            if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("rates are probabilities 0..1: " + r);
        }
        if (maxGarbageBytes < 1) throw new IllegalArgumentException("maxGarbageBytes >= 1");
        this.garbageRate = garbageRate;
        this.crcErrorRate = crcErrorRate;
        this.truncateRate = truncateRate;
        this.maxGarbageBytes = maxGarbageBytes;
        this.random = new Random(seed);
    }

    /** Garbage only, before {@code rate} of the answers, up to 32 bytes each. */
    public static LineNoise garbage(double rate, long seed) { return new LineNoise(rate, 0, 0, 32, seed); }

    /** Installs this noise on the bus (replacing any previous filter) and returns it. */
    public LineNoise install(VirtualMbusBus bus) {
        bus.setAnswerFilter(this);
        return this;
    }

    /** The meter at this primary address answers {@code delay} late from now on (zero: on time again). */
    public void answerLate(int primaryAddress, Duration delay) {
        if (delay.isZero()) lateMeters.remove(primaryAddress);
        else lateMeters.put(primaryAddress, delay);
    }

    public Stats stats() { return new Stats(answers.get(), garbage.get(), crcErrors.get(), truncated.get(), late.get()); }

    @Override
    public byte[] apply(int address, byte[] answer) {
        answers.incrementAndGet();
        byte[] out = damage(answer);
        Duration delay = lateMeters.get(address);
        if (delay != null) {
            late.incrementAndGet();
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return out;
    }

    private byte[] damage(byte[] answer) {
        double g, c, t;
        byte[] noise = null;
        synchronized (random) {
            g = random.nextDouble();
            c = random.nextDouble();
            t = random.nextDouble();
            if (g < garbageRate) {
                noise = new byte[1 + random.nextInt(maxGarbageBytes)];
                for (int i = 0; i < noise.length; i++) noise[i] = noiseByte();
            }
        }
        if (noise != null) {
            garbage.incrementAndGet();
            byte[] out = Arrays.copyOf(noise, noise.length + answer.length);
            System.arraycopy(answer, 0, out, noise.length, answer.length);
            return out;
        }
        if (c < crcErrorRate && answer.length >= 5) {
            crcErrors.incrementAndGet();
            byte[] out = answer.clone();
            out[out.length - 2] ^= 0x5A; // the checksum byte sits just before the stop byte 16h
            return out;
        }
        if (t < truncateRate && answer.length >= 2) {
            truncated.incrementAndGet();
            int keep;
            synchronized (random) {
                keep = 1 + random.nextInt(answer.length - 1);
            }
            return Arrays.copyOf(answer, keep);
        }
        return answer;
    }

    private byte noiseByte() {
        while (true) {
            int b = random.nextInt(256);
            if (b != 0x68 && b != 0x10 && b != 0xE5) return (byte) b;
        }
    }
}
