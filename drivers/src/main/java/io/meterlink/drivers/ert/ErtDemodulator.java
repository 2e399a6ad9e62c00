package io.meterlink.drivers.ert;

import io.meterlink.core.api.driver.DecodeException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Streaming demodulator of on-off-keyed Manchester packets at 32,768 chips/s: I/Q → magnitude →
 * matched filter (the sum of one chip minus the sum of the next, through a running sum) → bit
 * decision by sign at every sample → preamble search at every sample offset (one shift register per
 * sample phase of a bit) → the packet's bits at the centre of the run of offsets that matched → the
 * protocol's checks. R900 payloads are read as 4-chip digits by three correlations. One chip is
 * {@code sampleRate / 32768} samples. Allocation-free per sample. Not thread-safe.
 */
public final class ErtDemodulator {
    /** Chips per second of every protocol here. */
    public static final int CHIP_RATE = 32_768;
    public static final int MIN_CHIP_LENGTH = 4, MAX_CHIP_LENGTH = 256;

    /** Where packets and refused candidates go, with the sample index where the packet began. */
    public interface Listener {
        void packet(ErtPacket packet, long sample);

        /** A candidate whose preamble was clear but whose checks failed. */
        void refused(ErtProtocol protocol, DecodeException error, long sample);
    }

    private static final short[] MAG_U8 = new short[65536];

    static {
        for (int i = 0; i < 256; i++) {
            for (int q = 0; q < 256; q++) {
                double di = i - 127.4, dq = q - 127.4;
                MAG_U8[(i << 8) | q] = (short) Math.round(Math.sqrt(di * di + dq * dq) * 4);
            }
        }
    }

    /** The chip length for a sample rate: a whole number of samples per chip in 4..256. */
    public static int chipLength(long sampleRate) {
        if (sampleRate <= 0 || sampleRate % CHIP_RATE != 0) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " S/s is not a multiple of " + CHIP_RATE
                    + " (chips/s); e.g. 2359296 = 72 samples per chip");
        }
        long c = sampleRate / CHIP_RATE;
        if (c < MIN_CHIP_LENGTH || c > MAX_CHIP_LENGTH) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " S/s gives " + c + " samples per chip; need "
                    + MIN_CHIP_LENGTH + ".." + MAX_CHIP_LENGTH);
        }
        return (int) c;
    }

    /** One preamble searched for, and the protocols tried on its candidates, in order. */
    private final class Detector {
        final long pattern, mask;
        final int preBits;
        final ErtProtocol[] tries;
        final int reach; // bits after the last preamble bit needed by the longest try
        long runStart = -1, runEnd = -1;
        ErtPacket last;
        long lastStart;

        Detector(String preamble, ErtProtocol... tries) {
            this.pattern = Long.parseLong(preamble, 2);
            this.preBits = preamble.length();
            this.mask = (1L << preBits) - 1;
            this.tries = tries;
            int r = 0;
            for (ErtProtocol t : tries) {
                int pre = t.preamble().length();
                r = Math.max(r, t.packetBits() - pre + (t.isR900() ? 2 : 0) + 1);
            }
            this.reach = r;
        }
    }

    private record Candidate(Detector d, long from, long to, long due) {}

    private final int c, c2;
    private final Listener listener;
    private final long[] cum;
    private final byte[] bit;
    private final int mask;
    private final long[] reg;
    private final Detector[] detectors;
    private final List<Candidate> pending = new ArrayList<>();
    private final int minRun;
    private long n;
    private long cumN;
    private int phase;
    private long minDue = Long.MAX_VALUE;
    private int halfByte = -1;
    private final byte[] packed = new byte[ErtProtocol.IDM.packetBits() / 8];
    private final int[] symbols = new int[R900Code.SYMBOLS];

    public ErtDemodulator(int chipLength, Set<ErtProtocol> protocols, Listener listener) {
        if (chipLength < MIN_CHIP_LENGTH || chipLength > MAX_CHIP_LENGTH) throw new IllegalArgumentException("chip length " + chipLength);
        if (protocols.isEmpty()) throw new IllegalArgumentException("no protocol");
        this.c = chipLength;
        this.c2 = 2 * chipLength;
        this.listener = listener;
        this.minRun = Math.max(2, chipLength / 4);
        Set<ErtProtocol> p = EnumSet.copyOf(protocols);
        List<Detector> ds = new ArrayList<>();
        if (p.contains(ErtProtocol.SCM)) ds.add(new Detector(ErtProtocol.SCM.preamble(), ErtProtocol.SCM));
        List<ErtProtocol> sync = new ArrayList<>();
        if (p.contains(ErtProtocol.IDM)) sync.add(ErtProtocol.IDM);
        else if (p.contains(ErtProtocol.NETIDM)) sync.add(ErtProtocol.NETIDM);
        if (p.contains(ErtProtocol.SCM_PLUS)) sync.add(ErtProtocol.SCM_PLUS);
        if (!sync.isEmpty()) ds.add(new Detector(ErtProtocol.SCM_PLUS.preamble(), sync.toArray(ErtProtocol[]::new)));
        if (p.contains(ErtProtocol.R900)) ds.add(new Detector(ErtProtocol.R900.preamble(), ErtProtocol.R900));
        else if (p.contains(ErtProtocol.R900BCD)) ds.add(new Detector(ErtProtocol.R900BCD.preamble(), ErtProtocol.R900BCD));
        this.detectors = ds.toArray(Detector[]::new);
        int span = (ErtProtocol.IDM.packetBits() + 8 * 4) * c2 + 4 * c;
        int size = Integer.highestOneBit(span) << 1;
        this.cum = new long[size];
        this.bit = new byte[size];
        this.mask = size - 1;
        this.reg = new long[c2];
    }

    /** Samples consumed so far. */
    public long samples() { return n; }

    /** Unsigned 8-bit interleaved I/Q (rtl_tcp, rtl_sdr, {@code .cu8}); an odd byte waits for its partner. */
    public void feedU8(byte[] iq, int offset, int length) {
        int i = offset, end = offset + length;
        if (halfByte >= 0 && i < end) {
            sample(MAG_U8[(halfByte << 8) | (iq[i++] & 0xFF)]);
            halfByte = -1;
        }
        for (; i + 1 < end; i += 2) sample(MAG_U8[((iq[i] & 0xFF) << 8) | (iq[i + 1] & 0xFF)]);
        if (i < end) halfByte = iq[i] & 0xFF;
    }

    /** Signed 16-bit little-endian interleaved I/Q ({@code .cs16}); whole 4-byte samples only. */
    public void feedCs16(byte[] iq, int offset, int length) {
        for (int i = offset; i + 3 < offset + length; i += 4) {
            int re = (short) ((iq[i] & 0xFF) | (iq[i + 1] << 8));
            int im = (short) ((iq[i + 2] & 0xFF) | (iq[i + 3] << 8));
            sample((int) Math.sqrt((double) re * re + (double) im * im) >> 6);
        }
    }

    private void sample(int magnitude) {
        cumN += magnitude;
        long now = ++n;
        cum[(int) now & mask] = cumN;
        long p = now - c2;
        if (p < 0) return;
        long f = 2 * cum[(int) (p + c) & mask] - cum[(int) p & mask] - cumN;
        int b = f >= 0 ? 1 : 0;
        bit[(int) p & mask] = (byte) b;
        long r = (reg[phase] << 1) | b;
        reg[phase] = r;
        if (++phase == c2) phase = 0;
        for (Detector d : detectors) {
            if ((r & d.mask) == d.pattern) {
                if (d.runEnd == p - 1 && p - d.runStart < 4L * c) {
                    d.runEnd = p;
                } else {
                    if (d.runEnd >= 0) close(d);
                    d.runStart = p;
                    d.runEnd = p;
                }
            } else if (d.runEnd >= 0 && d.runEnd < p) {
                close(d);
            }
        }
        if (now >= minDue) due(now);
    }

    private void close(Detector d) {
        long due = d.runEnd + (long) d.reach * c2 + c2 + 1;
        pending.add(new Candidate(d, d.runStart, d.runEnd, due));
        minDue = Math.min(minDue, due);
        d.runStart = -1;
        d.runEnd = -1;
    }

    private void due(long now) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < pending.size(); ) {
            Candidate k = pending.get(i);
            if (k.due <= now) {
                pending.remove(i);
                decode(k);
            } else {
                next = Math.min(next, k.due);
                i++;
            }
        }
        minDue = next;
    }

    /** Tries the centre of the run first, then the offsets around it; the first checked packet wins. */
    private void decode(Candidate k) {
        Detector d = k.d;
        long centre = (k.from + k.to) >>> 1;
        long width = k.to - k.from;
        DecodeException error = null;
        ErtProtocol errorProtocol = d.tries[0];
        for (long step = 0; step <= width; step++) {
            long x = (step & 1) == 0 ? centre + (step >>> 1) : centre - ((step + 1) >>> 1);
            if (x < k.from || x > k.to) continue;
            for (ErtProtocol t : d.tries) {
                long start = x - (long) (t.preamble().length() - 1) * c2;
                try {
                    ErtPacket pkt = t.isR900() ? readR900(t, start) : readManchester(t, start);
                    if (pkt == null) continue;
                    if (pkt.equals(d.last) && Math.abs(start - d.lastStart) < (long) t.packetBits() * c2) return; // same transmission
                    d.last = pkt;
                    d.lastStart = start;
                    listener.packet(pkt, start);
                    return;
                } catch (DecodeException e) {
                    if (error == null) {
                        error = e;
                        errorProtocol = t;
                    }
                }
            }
        }
        if (error != null && width + 1 >= minRun) listener.refused(errorProtocol, error, k.from);
    }

    private ErtPacket readManchester(ErtProtocol t, long start) throws DecodeException {
        int bits = t.packetBits();
        java.util.Arrays.fill(packed, 0, bits / 8, (byte) 0);
        for (int i = 0; i < bits; i++) {
            if (bit[(int) (start + (long) i * c2) & mask] != 0) packed[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        String pre = t.preamble();
        if (ErtChecks.bits(packed, 0, pre.length()) != Long.parseLong(pre, 2)) return null; // e.g. an SCM+ sync without the IDM training bits
        return ErtCodec.parse(t, java.util.Arrays.copyOf(packed, bits / 8));
    }

    private ErtPacket readR900(ErtProtocol t, long start) throws DecodeException {
        long base = start + 62L * c; // the payload's first digit overlaps the last preamble bit
        for (int s = 0; s < R900Code.SYMBOLS; s++) {
            int hi = digit(base + (long) (2 * s) * 4 * c);
            int lo = digit(base + (long) (2 * s + 1) * 4 * c);
            int v = hi * 6 + lo;
            symbols[s] = v > 31 ? 0 : v; // an impossible pair: a symbol error for Reed-Solomon
        }
        return ErtCodec.parseR900(t, symbols);
    }

    /** The 4-chip digit at sample {@code s}: the strongest of three correlations, and its sign. */
    private int digit(long s) {
        long a0 = cum[(int) (s + c) & mask] - cum[(int) s & mask];
        long a1 = cum[(int) (s + 2L * c) & mask] - cum[(int) (s + c) & mask];
        long a2 = cum[(int) (s + 3L * c) & mask] - cum[(int) (s + 2L * c) & mask];
        long a3 = cum[(int) (s + 4L * c) & mask] - cum[(int) (s + 3L * c) & mask];
        long k0 = a0 + a1 - a2 - a3; // 1100 / 0011
        long k1 = a0 - a1 + a2 - a3; // 1010 / 0101
        long k2 = a0 - a1 - a2 + a3; // 1001 / 0110
        int arg = 0;
        long best = Math.abs(k0), v = k0;
        if (Math.abs(k1) > best) { best = Math.abs(k1); arg = 1; v = k1; }
        if (Math.abs(k2) > best) { arg = 2; v = k2; }
        return v > 0 ? arg + 3 : arg;
    }

    /** Decodes what is still pending as if the stream went on with silence (end of a file). */
    public void flush() {
        for (Detector d : detectors) if (d.runEnd >= 0) close(d);
        long stop = n;
        long target = minDue == Long.MAX_VALUE ? n : minDue;
        for (Candidate k : pending) target = Math.max(target, k.due);
        while (n < target && n - stop < cum.length / 2) sample(0);
        if (!pending.isEmpty()) due(Long.MAX_VALUE);
    }
}
