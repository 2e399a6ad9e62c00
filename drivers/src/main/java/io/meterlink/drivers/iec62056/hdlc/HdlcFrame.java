package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.drivers.crc.Crc16;


/**
 * One HDLC frame of frame format type 3 (IEC 62056-46 §8.4.1): flag 0x7E, format field
 * {@code 1010 S LLL LLLLLLLL} (S the segmentation bit, L the frame length without the flags), the
 * destination and source addresses, the control field, when an information field follows the header
 * check sequence HCS over format, addresses and control, the information field, and the frame check
 * sequence FCS over everything before it, then the flag. HCS and FCS are CRC-16/X-25, low byte first.
 * Immutable (the information field is copied in and out).
 *
 * @param segmented the segmentation bit: more segments of this information follow
 * @param control   the control field byte (see the constants and {@link #isI()})
 */
public record HdlcFrame(boolean segmented, HdlcAddress destination, HdlcAddress source, int control, byte[] info) {
    public static final byte FLAG = 0x7E;
    /** The longest frame the 11-bit length field can describe. */
    public static final int MAX_LENGTH = 0x7FF;
    /** Control fields with the poll/final bit set (§8.4.3). */
    public static final int SNRM = 0x93, DISC = 0x53, UA = 0x73, DM = 0x1F, FRMR = 0x97, UI = 0x13;
    private static final int PF = 0x10;

    public HdlcFrame {
        info = info == null ? new byte[0] : info.clone();
    }

    @Override public byte[] info() { return info.clone(); }

    public int infoLength() { return info.length; }

    /** An information frame: N(R) in bits 7–5, P/F, N(S) in bits 3–1, bit 0 clear. */
    public static int iControl(int sendSeq, int receiveSeq) { return (receiveSeq & 7) << 5 | PF | (sendSeq & 7) << 1; }

    /** A receive-ready frame acknowledging everything below N(R). */
    public static int rrControl(int receiveSeq) { return (receiveSeq & 7) << 5 | PF | 0x01; }

    public boolean isI() { return (control & 0x01) == 0; }

    public boolean isRr() { return (control & 0x0F) == 0x01; }

    public boolean isRnr() { return (control & 0x0F) == 0x05; }

    /** The unnumbered frame type with the P/F bit set (SNRM, DISC, UA, DM, FRMR, UI), or -1 for I, RR and RNR. */
    public int unnumbered() { return (control & 0x03) == 0x03 ? control | PF : -1; }

    /** N(S) of an I frame. */
    public int sendSeq() { return control >> 1 & 7; }

    /** N(R) of an I, RR or RNR frame. */
    public int receiveSeq() { return control >> 5 & 7; }

    /** The frame with its flags, HCS (when there is information) and FCS. */
    public byte[] encode() {
        return encode(segmented, destination, source, control, info, 0, info.length);
    }

    /**
     * A frame with {@code length} bytes of {@code info} from {@code offset} (none when {@code info} is
     * {@code null}), encoded straight into the one array returned: the information is copied nowhere else.
     */
    public static byte[] encode(boolean segmented, HdlcAddress destination, HdlcAddress source, int control, byte[] info, int offset, int length) {
        int n = info == null ? 0 : length;
        byte[] d = destination.encode(), s = source.encode();
        int header = 2 + d.length + s.length + 1;
        int frameLength = header + (n > 0 ? 2 + n : 0) + 2;
        if (frameLength > MAX_LENGTH) throw new IllegalArgumentException("an HDLC frame of " + frameLength + " bytes exceeds the 11-bit length field");
        byte[] o = new byte[frameLength + 2];
        int at = 0;
        o[at++] = FLAG;
        o[at++] = (byte) (0xA0 | (segmented ? 0x08 : 0) | frameLength >> 8);
        o[at++] = (byte) frameLength;
        System.arraycopy(d, 0, o, at, d.length);
        at += d.length;
        System.arraycopy(s, 0, o, at, s.length);
        at += s.length;
        o[at++] = (byte) control;
        if (n > 0) {
            at = crc(o, at);
            System.arraycopy(info, offset, o, at, n);
            at += n;
        }
        at = crc(o, at);
        o[at] = FLAG;
        return o;
    }

    /** CRC-16/X-25 of everything after the opening flag up to {@code at}, low byte first, written at {@code at}. */
    private static int crc(byte[] o, int at) {
        int c = Crc16.X25.of(o, 1, at);
        o[at] = (byte) c;
        o[at + 1] = (byte) (c >> 8);
        return at + 2;
    }

    /**
     * A frame from its bytes between the flags ({@code b} starts with the format field and holds
     * exactly the length it states); checks format type, address forms, HCS and FCS.
     */
    public static HdlcFrame decode(byte[] b) throws HdlcException {
        if (b.length < 7) throw new HdlcException(HdlcException.Reason.TRUNCATED, b.length + " bytes are less than the shortest frame");
        if ((b[0] & 0xF0) != 0xA0) throw new HdlcException(HdlcException.Reason.FORMAT, String.format("format field %02X is not frame format type 3", b[0] & 0xFF));
        int length = (b[0] & 0x07) << 8 | b[1] & 0xFF;
        if (length != b.length) throw new HdlcException(HdlcException.Reason.LENGTH, "length field " + length + " but the frame has " + b.length + " bytes");
        int fcs = (b[length - 2] & 0xFF) | (b[length - 1] & 0xFF) << 8;
        int computed = Crc16.X25.of(b, 0, length - 2);
        if (fcs != computed) throw new HdlcException(HdlcException.Reason.FCS, String.format("FCS %04X does not match the frame (computed %04X)", fcs, computed));
        int p = 2;
        int dn = addressLength(b, p, length - 3);
        HdlcAddress dest = HdlcAddress.decode(b, p, dn);
        p += dn;
        int sn = addressLength(b, p, length - 3);
        HdlcAddress src = HdlcAddress.decode(b, p, sn);
        p += sn;
        if (p >= length - 2) throw new HdlcException(HdlcException.Reason.TRUNCATED, "no control field");
        int control = b[p++] & 0xFF;
        byte[] info = new byte[0];
        if (p < length - 2) {
            if (p + 2 > length - 2) throw new HdlcException(HdlcException.Reason.TRUNCATED, "an information field without its HCS");
            int hcs = (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
            int hc = Crc16.X25.of(b, 0, p);
            if (hcs != hc) throw new HdlcException(HdlcException.Reason.HCS, String.format("HCS %04X does not match the header (computed %04X)", hcs, hc));
            p += 2;
            info = java.util.Arrays.copyOfRange(b, p, length - 2);
        }
        return new HdlcFrame((b[0] & 0x08) != 0, dest, src, control, info);
    }

    /** Bytes of the address at {@code b[p]}: up to and including the first with the extension bit. */
    private static int addressLength(byte[] b, int p, int limit) throws HdlcException {
        for (int i = p; i < limit && i < p + 4; i++) if ((b[i] & 1) != 0) return i - p + 1;
        throw new HdlcException(HdlcException.Reason.FORMAT, "an address without its last byte within 4 bytes");
    }

    /** For logs: type, addresses, sequence numbers, information length. */
    @Override
    public String toString() {
        String type = isI() ? "I(ns=" + sendSeq() + ",nr=" + receiveSeq() + ")" : isRr() ? "RR(nr=" + receiveSeq() + ")" : isRnr() ? "RNR(nr=" + receiveSeq() + ")"
                : switch (unnumbered()) {
                    case SNRM -> "SNRM";
                    case DISC -> "DISC";
                    case UA -> "UA";
                    case DM -> "DM";
                    case FRMR -> "FRMR";
                    case UI -> "UI";
                    default -> String.format("control %02X", control);
                };
        return type + (segmented ? " segmented" : "") + " " + source + "->" + destination + " info " + info.length;
    }
}
