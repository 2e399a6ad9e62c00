package io.meterlink.drivers.iec62056.dlms;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A-XDR encoding of COSEM data (IEC 62056-5-3 / IEC 61334-6): a tag byte, then fixed-size
 * big-endian numbers, or a length (one byte below 0x80, else 0x8n and n length bytes) and the
 * content. Reading checks every length against the bytes there are and a nesting limit. Stateless.
 */
public final class Axdr {
    public static final int NULL = 0, ARRAY = 1, STRUCTURE = 2, BOOLEAN = 3, BIT_STRING = 4, DOUBLE_LONG = 5, DOUBLE_LONG_UNSIGNED = 6,
            OCTET_STRING = 9, VISIBLE_STRING = 10, UTF8_STRING = 12, BCD = 13, INTEGER = 15, LONG = 16, UNSIGNED = 17, LONG_UNSIGNED = 18,
            COMPACT_ARRAY = 19, LONG64 = 20, LONG64_UNSIGNED = 21, ENUM = 22, FLOAT32 = 23, FLOAT64 = 24, DATE_TIME = 25, DATE = 26, TIME = 27;
    private static final int MAX_DEPTH = 16;
    private static final int MAX_ITEMS = 65_536;

    private Axdr() {}

    /** A position in a byte array, moved on by each read. */
    public static final class Cursor {
        private final byte[] b;
        private int p;
        private final int end;

        public Cursor(byte[] b, int from, int to) {
            this.b = b;
            this.p = from;
            this.end = to;
        }

        public Cursor(byte[] b) { this(b, 0, b.length); }

        public int position() { return p; }

        public int remaining() { return end - p; }

        public int u8() throws DlmsException {
            need(1);
            return b[p++] & 0xFF;
        }

        public byte[] bytes(int n) throws DlmsException {
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(b, p, p + n);
            p += n;
            return out;
        }

        public long u32() throws DlmsException {
            long v = 0;
            for (byte x : bytes(4)) v = v << 8 | x & 0xFF;
            return v;
        }

        /** An A-XDR length: one byte below 0x80, else 0x8n followed by n bytes (n ≤ 4). */
        public int length() throws DlmsException {
            int v = rawLength();
            if (v > remaining()) throw DlmsException.syntax("a length of " + v + " with " + remaining() + " bytes left");
            return v;
        }

        /** An A-XDR length not compared with the bytes left (a bit-string's count of bits). */
        public int rawLength() throws DlmsException {
            int first = u8();
            if (first < 0x80) return first;
            int n = first & 0x7F;
            if (n == 0 || n > 4) throw DlmsException.syntax(String.format("a length of form %02X", first));
            long v = 0;
            for (int i = 0; i < n; i++) v = v << 8 | u8();
            if (v > Integer.MAX_VALUE) throw DlmsException.syntax("a length of " + v);
            return (int) v;
        }

        private void need(int n) throws DlmsException {
            if (n < 0 || n > end - p) throw DlmsException.syntax("cut short: " + n + " bytes needed at offset " + p + ", " + (end - p) + " left");
        }
    }

    /** One value at the cursor. */
    public static DlmsValue read(Cursor c) throws DlmsException {
        return read(c, 0);
    }

    /** Exactly one value filling {@code b}. */
    public static DlmsValue read(byte[] b) throws DlmsException {
        Cursor c = new Cursor(b);
        DlmsValue v = read(c);
        if (c.remaining() != 0) throw DlmsException.syntax(c.remaining() + " bytes after the value");
        return v;
    }

    private static DlmsValue read(Cursor c, int depth) throws DlmsException {
        if (depth > MAX_DEPTH) throw DlmsException.syntax("values nested deeper than " + MAX_DEPTH);
        int tag = c.u8();
        return switch (tag) {
            case NULL -> new DlmsValue.Null();
            case ARRAY, STRUCTURE -> {
                int n = c.length();
                if (n > MAX_ITEMS) throw DlmsException.syntax(n + " items");
                List<DlmsValue> items = new ArrayList<>(Math.min(n, 64));
                for (int i = 0; i < n; i++) items.add(read(c, depth + 1));
                yield new DlmsValue.Items(tag, items);
            }
            case BOOLEAN -> new DlmsValue.Bool(c.u8() != 0);
            case BIT_STRING -> {
                int bits = c.rawLength();
                yield new DlmsValue.Octets(tag, c.bytes((bits + 7) / 8));
            }
            case OCTET_STRING, BCD -> new DlmsValue.Octets(tag, c.bytes(tag == BCD ? 1 : c.length()));
            case VISIBLE_STRING -> new DlmsValue.Text(tag, new String(c.bytes(c.length()), StandardCharsets.ISO_8859_1));
            case UTF8_STRING -> new DlmsValue.Text(tag, new String(c.bytes(c.length()), StandardCharsets.UTF_8));
            case INTEGER -> num(tag, c, 1, true);
            case LONG -> num(tag, c, 2, true);
            case DOUBLE_LONG -> num(tag, c, 4, true);
            case LONG64 -> num(tag, c, 8, true);
            case UNSIGNED, ENUM -> num(tag, c, 1, false);
            case LONG_UNSIGNED -> num(tag, c, 2, false);
            case DOUBLE_LONG_UNSIGNED -> num(tag, c, 4, false);
            case LONG64_UNSIGNED -> num(tag, c, 8, false);
            case FLOAT32 -> new DlmsValue.Num(tag, finite(Float.intBitsToFloat(new BigInteger(c.bytes(4)).intValue())));
            case FLOAT64 -> new DlmsValue.Num(tag, finite(Double.longBitsToDouble(new BigInteger(c.bytes(8)).longValue())));
            case DATE_TIME -> new DlmsValue.Octets(tag, c.bytes(12));
            case DATE -> new DlmsValue.Octets(tag, c.bytes(5));
            case TIME -> new DlmsValue.Octets(tag, c.bytes(4));
            default -> throw DlmsException.syntax("data type tag " + tag + " is not supported"); // compact-array (19) included
        };
    }

    private static DlmsValue.Num num(int tag, Cursor c, int n, boolean signed) throws DlmsException {
        byte[] b = c.bytes(n);
        return new DlmsValue.Num(tag, new BigDecimal(signed ? new BigInteger(b) : new BigInteger(1, b)));
    }

    private static BigDecimal finite(double d) throws DlmsException {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new DlmsException(DlmsException.Reason.SYNTAX, -1, "a float that is not a number: " + d);
        return new BigDecimal(Double.toString(d));
    }

    private static BigDecimal finite(float f) throws DlmsException {
        if (Float.isNaN(f) || Float.isInfinite(f)) throw new DlmsException(DlmsException.Reason.SYNTAX, -1, "a float that is not a number: " + f);
        return new BigDecimal(Float.toString(f));
    }

    // ---- writing (the simulator's server, tests) ----

    public static void writeLength(ByteArrayOutputStream o, int n) {
        if (n < 0x80) {
            o.write(n);
        } else if (n <= 0xFF) {
            o.write(0x81);
            o.write(n);
        } else {
            o.write(0x82);
            o.write(n >> 8);
            o.write(n);
        }
    }

    /** The A-XDR bytes of {@code v}. */
    public static byte[] encode(DlmsValue v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        write(o, v);
        return o.toByteArray();
    }

    public static void write(ByteArrayOutputStream o, DlmsValue v) {
        o.write(v.tag());
        if (v instanceof DlmsValue.Bool b) {
            o.write(b.value() ? 1 : 0);
        } else if (v instanceof DlmsValue.Items items) {
            writeLength(o, items.items().size());
            for (DlmsValue i : items.items()) write(o, i);
        } else if (v instanceof DlmsValue.Text t) {
            byte[] b = t.value().getBytes(t.tag() == UTF8_STRING ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            writeLength(o, b.length);
            o.writeBytes(b);
        } else if (v instanceof DlmsValue.Octets s) {
            if (s.tag() == BIT_STRING) writeLength(o, s.length() * 8);
            else if (s.tag() == OCTET_STRING) writeLength(o, s.length());
            o.writeBytes(s.bytes());
        } else if (v instanceof DlmsValue.Num n) {
            writeNumber(o, n);
        }
    }

    private static void writeNumber(ByteArrayOutputStream o, DlmsValue.Num n) {
        int size = switch (n.tag()) {
            case INTEGER, UNSIGNED, ENUM -> 1;
            case LONG, LONG_UNSIGNED -> 2;
            case DOUBLE_LONG, DOUBLE_LONG_UNSIGNED, FLOAT32 -> 4;
            default -> 8;
        };
        long bits = switch (n.tag()) {
            case FLOAT32 -> Float.floatToIntBits(n.value().floatValue());
            case FLOAT64 -> Double.doubleToLongBits(n.value().doubleValue());
            default -> n.value().toBigIntegerExact().longValue();
        };
        for (int i = size - 1; i >= 0; i--) o.write((int) (bits >>> 8 * i));
    }
}
