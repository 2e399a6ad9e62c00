package io.meterlink.drivers.iec62056.hdlc;

import java.io.ByteArrayOutputStream;

/**
 * The HDLC parameter negotiation carried by SNRM and UA (IEC 62056-46 §8.4.5.3.2, format identifier
 * 0x81, group 0x80): maximum information field length transmit (05) and receive (06), window size
 * transmit (07) and receive (08), each as seen by the station that sends them. Absent values are
 * the defaults 128 and 1. Immutable.
 */
public record HdlcParameters(int maxInfoTransmit, int maxInfoReceive, int windowTransmit, int windowReceive) {
    public static final HdlcParameters DEFAULT = new HdlcParameters(128, 128, 1, 1);

    /** The information field of an SNRM or UA frame. */
    public byte[] encode() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        value(p, 0x05, maxInfoTransmit, maxInfoTransmit > 0xFF ? 2 : 1);
        value(p, 0x06, maxInfoReceive, maxInfoReceive > 0xFF ? 2 : 1);
        value(p, 0x07, windowTransmit, 4);
        value(p, 0x08, windowReceive, 4);
        byte[] params = p.toByteArray();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x81);
        o.write(0x80);
        o.write(params.length);
        o.writeBytes(params);
        return o.toByteArray();
    }

    private static void value(ByteArrayOutputStream o, int id, int v, int n) {
        o.write(id);
        o.write(n);
        for (int i = n - 1; i >= 0; i--) o.write(v >> 8 * i);
    }

    /** From an SNRM or UA information field; an empty one gives the defaults. */
    public static HdlcParameters decode(byte[] info) throws HdlcException {
        if (info.length == 0) return DEFAULT;
        if (info.length < 3 || (info[0] & 0xFF) != 0x81 || (info[1] & 0xFF) != 0x80 || (info[2] & 0xFF) != info.length - 3) {
            throw new HdlcException(HdlcException.Reason.FORMAT, "the parameter negotiation field is not format 0x81 group 0x80 of its own length");
        }
        int[] v = {128, 128, 1, 1};
        int p = 3;
        while (p < info.length) {
            if (p + 2 > info.length) throw new HdlcException(HdlcException.Reason.FORMAT, "a negotiation parameter cut short");
            int id = info[p] & 0xFF, n = info[p + 1] & 0xFF;
            if (n < 1 || n > 4 || p + 2 + n > info.length) throw new HdlcException(HdlcException.Reason.FORMAT, "negotiation parameter " + id + " of " + n + " bytes");
            long x = 0;
            for (int i = 0; i < n; i++) x = x << 8 | info[p + 2 + i] & 0xFF;
            if (id >= 5 && id <= 8) v[id - 5] = (int) Math.min(x, Integer.MAX_VALUE);
            p += 2 + n;
        }
        return new HdlcParameters(v[0], v[1], v[2], v[3]);
    }
}
