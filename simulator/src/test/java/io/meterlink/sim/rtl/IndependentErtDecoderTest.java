package io.meterlink.sim.rtl;

import io.meterlink.drivers.ert.ErtProtocol;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's air against a second, minimal receiver written here from the protocols' public
 * descriptions (rtlamr's protocol notes: preambles, Manchester chips at 32,768 chips/s, field offsets,
 * the SCM BCH generator 0x6F63, the CRC-16 with polynomial 0x1021, init 0xFFFF, complemented, of SCM+
 * and IDM, R900's base-6 digits of 4 chips). It shares no code with the gateway's demodulator or codec:
 * magnitude by {@code Math.hypot}, chip energies from prefix sums, every sample offset tried, checksums
 * bit by bit. It is not an independent decoder "nobody here wrote" (no such decoder can be installed
 * here: rtlamr is Go and not packaged); it catches a modulator that agrees only with our own decoder.
 * R900's Reed-Solomon parity is not checked here (only the data symbols are read).
 */
class IndependentErtDecoderTest {
    private static final String SCM_PRE = "111110010101001100000";
    private static final String SCMPLUS_PRE = "0001011010100011"; // 0x16A3
    private static final String IDM_PRE = "01010101010101010001011010100011"; // 0x555516A3
    private static final String R900_PRE = "00000000000000001110010101100100";
    private static final int[] DIGITS = {0b0011, 0b0101, 0b0110, 0b1100, 0b1010, 0b1001};

    /** What the minimal receiver read from one packet. */
    record Heard(String framing, long id, long consumption, int type) { }

    // ---- the minimal receiver ----------------------------------------------------------------------

    static List<Heard> receive(byte[] iq, int chip, boolean netidm) {
        int n = iq.length / 2;
        double[] sum = new double[n + 1];
        for (int i = 0; i < n; i++) sum[i + 1] = sum[i] + Math.hypot((iq[2 * i] & 0xFF) - 127.5, (iq[2 * i + 1] & 0xFF) - 127.5);
        List<Heard> out = new ArrayList<>();
        int s = 0;
        while (s < n) {
            Heard h = null;
            int len = 0;
            for (String framing : List.of("scm", "scm+", "idm", "r900")) {
                int bits = switch (framing) {
                    case "scm" -> 96;
                    case "scm+" -> 128;
                    case "idm" -> 736;
                    default -> 31 + 21 * 4; // preamble bits before the digits, then 21 symbols × 2 digits × 4 chips (as 2-chip units)
                };
                if (s + (long) bits * 2 * chip > n) continue;
                h = tryAt(framing, sum, s, chip, netidm);
                if (h != null) {
                    len = bits * 2 * chip;
                    break;
                }
            }
            if (h != null) {
                out.add(h);
                s += len;
            } else {
                s++;
            }
        }
        return out;
    }

    private static double chipEnergy(double[] sum, int s, int chip, int c) {
        return sum[s + (c + 1) * chip] - sum[s + c * chip];
    }

    private static int[] manchester(double[] sum, int s, int chip, int nbits) {
        int[] b = new int[nbits];
        for (int i = 0; i < nbits; i++) b[i] = chipEnergy(sum, s, chip, 2 * i) > chipEnergy(sum, s, chip, 2 * i + 1) ? 1 : 0;
        return b;
    }

    /** The first {@code n} Manchester bits at {@code s} are the preamble's (stops at the first that is not). */
    private static boolean starts(double[] sum, int s, int chip, String pre, int n) {
        for (int i = 0; i < n; i++) {
            int bit = chipEnergy(sum, s, chip, 2 * i) > chipEnergy(sum, s, chip, 2 * i + 1) ? 1 : 0;
            if (bit != pre.charAt(i) - '0') return false;
        }
        return true;
    }

    private static long field(int[] bits, int from, int len) {
        long v = 0;
        for (int i = from; i < from + len; i++) v = v << 1 | bits[i];
        return v;
    }

    private static Heard tryAt(String framing, double[] sum, int s, int chip, boolean netidm) {
        if (framing.equals("r900")) return r900(sum, s, chip);
        String pre = switch (framing) {
            case "scm" -> SCM_PRE;
            case "scm+" -> SCMPLUS_PRE;
            default -> IDM_PRE;
        };
        if (!starts(sum, s, chip, pre, pre.length())) return null;
        int nbits = switch (framing) {
            case "scm" -> 96;
            case "scm+" -> 128;
            default -> 736;
        };
        int[] b = manchester(sum, s, chip, nbits);
        switch (framing) {
            case "scm" -> {
                if (bchRemainder(b, 16, 96) != 0) return null;
                return new Heard("scm", field(b, 21, 2) << 24 | field(b, 56, 24), field(b, 32, 24), (int) field(b, 26, 4));
            }
            case "scm+" -> {
                if (crc(b, 16, 112) != field(b, 112, 16)) return null;
                return new Heard("scm+", field(b, 32, 32), field(b, 64, 32), (int) field(b, 24, 8));
            }
            default -> {
                if (crc(b, 32, 720) != field(b, 720, 16)) return null;
                long consumption = netidm ? field(b, 200, 24) : field(b, 232, 32);
                return new Heard(netidm ? "netidm" : "idm", field(b, 72, 32), consumption, (int) field(b, 64, 8) & 0x0F);
            }
        }
    }

    /** R900: 31 Manchester preamble bits, then 42 base-6 digits of 4 chips (the best matching of the six codes), 2 per symbol. */
    private static Heard r900(double[] sum, int s, int chip) {
        if (!starts(sum, s, chip, R900_PRE, 31)) return null;
        int at = 62;
        int[] symbols = new int[21];
        for (int k = 0; k < 21; k++) {
            int v = 0;
            for (int half = 0; half < 2; half++) {
                int best = -1;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int d = 0; d < 6; d++) {
                    double score = 0;
                    for (int c = 0; c < 4; c++) score += chipEnergy(sum, s, chip, at + c) * (((DIGITS[d] >>> (3 - c)) & 1) == 1 ? 1 : -1);
                    if (score > bestScore) {
                        bestScore = score;
                        best = d;
                    }
                }
                v = v * 6 + best;
                at += 4;
            }
            if (v > 31) return null;
            symbols[k] = v;
        }
        int[] bits = new int[80];
        for (int k = 0; k < 16; k++) for (int j = 0; j < 5; j++) bits[5 * k + j] = symbols[k] >>> (4 - j) & 1;
        return new Heard("r900", field(bits, 0, 32), field(bits, 48, 24), 0);
    }

    /** The remainder of bits [from, to) divided by x^16 + x^14 + x^13 + x^11 + x^10 + x^9 + x^8 + x^6 + x^5 + x + 1 (0x16F63). */
    private static int bchRemainder(int[] b, int from, int to) {
        int r = 0;
        for (int i = from; i < to; i++) {
            r = r << 1 | b[i];
            if ((r & 0x10000) != 0) r ^= 0x16F63;
        }
        return r;
    }

    /** CRC-16, polynomial 0x1021, register 0xFFFF at the start, MSB first, complemented at the end, over bits [from, to). */
    private static long crc(int[] b, int from, int to) {
        int r = 0xFFFF;
        for (int i = from; i < to; i++) {
            int top = (r >>> 15 & 1) ^ b[i];
            r = r << 1 & 0xFFFF;
            if (top == 1) r ^= 0x1021;
        }
        return r ^ 0xFFFF;
    }

    // ---- the simulator's air, read by it ---------------------------------------------------------

    private static Map<String, Long> fields(ErtProtocol p, long id, long consumption, int type) {
        Map<String, Long> f = new LinkedHashMap<>();
        switch (p) {
            case SCM -> {
                f.put("id", id);
                f.put("ert_type", (long) type);
                f.put("consumption", consumption);
            }
            case SCM_PLUS -> {
                f.put("protocol_id", 0x1EL);
                f.put("endpoint_type", (long) type);
                f.put("endpoint_id", id);
                f.put("consumption", consumption);
            }
            case IDM, NETIDM -> {
                f.put(p == ErtProtocol.IDM ? "packet_type" : "protocol_id", 0x1CL);
                f.put("packet_length", 0x5CL);
                f.put("ert_type", (long) type);
                f.put("ert_serial", id);
                f.put("last_consumption", consumption);
            }
            default -> {
                f.put("id", id);
                f.put("consumption", consumption);
            }
        }
        return f;
    }

    private static byte[] air(int chip, long seed, List<byte[]> packets) {
        RadioChannel ch = new RadioChannel(chip, 20, seed);
        long t = 3_000;
        for (byte[] chips : packets) {
            ch.schedule(new RadioChannel.Transmission(t, chips, 4_000, null));
            t += ch.duration(chips) + 2_000;
        }
        int samples = (int) (t + 3_000);
        byte[] iq = new byte[samples * 2];
        ch.render(iq, samples);
        return iq;
    }

    @Test
    void everyProtocolTheSimulatorSends_isReadByTheMinimalReceiver_withItsFieldsAndChecks() {
        Random rnd = new Random(11);
        for (int chip : new int[] {72, 24}) {
            for (ErtProtocol p : ErtProtocol.values()) {
                List<byte[]> packets = new ArrayList<>();
                List<Heard> want = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    int type = p.isR900() ? 0 : new int[] {4, 7, 12, 11}[rnd.nextInt(4)];
                    long id = switch (p) {
                        case SCM -> rnd.nextInt(1 << 26);
                        case R900, R900BCD -> (6L + rnd.nextInt(12)) << 27 | rnd.nextInt(1 << 27); // first symbol 6–17, as the simulator's ids
                        default -> rnd.nextLong() & 0xFFFFFFFFL;
                    };
                    long consumption = p == ErtProtocol.R900BCD ? rnd.nextInt(1_000_000) : rnd.nextInt(1 << 24);
                    packets.add(ErtModulator.chips(p, fields(p, id, consumption, type), new int[0]));
                    long sentConsumption = p == ErtProtocol.R900BCD ? Long.parseLong(Long.toString(consumption), 16) : consumption; // BCD on the air
                    String framing = switch (p) {
                        case SCM -> "scm";
                        case SCM_PLUS -> "scm+";
                        case IDM -> "idm";
                        case NETIDM -> "netidm";
                        default -> "r900";
                    };
                    want.add(new Heard(framing, id, sentConsumption, p.isR900() ? 0 : type));
                }
                List<Heard> got = receive(air(chip, rnd.nextLong(), packets), chip, p == ErtProtocol.NETIDM);
                assertEquals(want, got, p + " at " + chip + " samples per chip");
            }
        }
    }

    @Test
    void noiseAlone_givesTheMinimalReceiverNothing() {
        byte[] iq = air(24, 5, List.of());
        byte[] longer = new byte[iq.length * 20];
        RadioChannel ch = new RadioChannel(24, 20, 6);
        ch.render(longer, longer.length / 2);
        assertTrue(receive(longer, 24, false).isEmpty());
    }
}
