package io.meterlink.sim.rtl;

import io.meterlink.drivers.ert.ErtCodec;
import io.meterlink.drivers.ert.ErtProtocol;

import java.util.Map;

/**
 * Turns packet fields into the on/off chips a meter keys at 32,768 chips/s: Manchester bits (1 =
 * on-off, 0 = off-on) for the ERT packets; for R900 the preamble's first 31 bits in Manchester,
 * then 42 base-6 digits of 4 chips each (0011, 0101, 0110, 1100, 1010, 1001), the first digit
 * taking the place of the last preamble bit. Pure, thread-safe.
 */
public final class ErtModulator {
    private static final int[] DIGIT_CHIPS = {0b0011, 0b0101, 0b0110, 0b1100, 0b1010, 0b1001};

    private ErtModulator() {}

    /** The chips (0/1) of one packet. */
    public static byte[] chips(ErtProtocol p, Map<String, Long> fields, int[] intervals) {
        if (p.isR900()) return r900Chips(ErtCodec.encodeR900(p, fields));
        byte[] bits = ErtCodec.encode(p, fields, intervals);
        byte[] chips = new byte[p.packetBits() * 2];
        for (int i = 0; i < p.packetBits(); i++) {
            int b = (bits[i >>> 3] >>> (7 - (i & 7))) & 1;
            chips[2 * i] = (byte) b;
            chips[2 * i + 1] = (byte) (1 - b);
        }
        return chips;
    }

    static byte[] r900Chips(int[] symbols) {
        String pre = ErtProtocol.R900.preamble();
        int preChips = (pre.length() - 1) * 2;
        byte[] chips = new byte[preChips + symbols.length * 2 * 4];
        for (int i = 0; i < pre.length() - 1; i++) {
            int b = pre.charAt(i) - '0';
            chips[2 * i] = (byte) b;
            chips[2 * i + 1] = (byte) (1 - b);
        }
        int at = preChips;
        for (int s : symbols) {
            for (int digit : new int[] {s / 6, s % 6}) {
                for (int k = 3; k >= 0; k--) chips[at++] = (byte) ((DIGIT_CHIPS[digit] >>> k) & 1);
            }
        }
        return chips;
    }
}
