package io.meterlink.core.uplink;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.WireReading;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The stored form of a reading under {@code uplink.payload: compact} (docs/payloads.md, "Stored
 * form"): a small binary record of the {@link WireReading} fields, so a compact batch is built without
 * parsing anything back, and the buffer writes and deletes about a fifth of the bytes of a JSON v1
 * object. The seq is not in the record (the row holds it, and the row's checksum covers both); the
 * gateway id is not either (the batch names it). A JSON v1 object is rebuilt from a record byte for
 * byte ({@link io.meterlink.payload.JsonV1#reading}), so {@code uplink.payload: json} sends the same
 * bytes whichever form a reading was stored in.
 *
 * <p>Layout: {@value #FORMAT} (a JSON object starts with {@code '{'}), a flags byte (meter time, RSSI,
 * mantissa beyond 64 bits), meter, quantity, unit and function as length-prefixed UTF-8, storage, tariff
 * and subunit as unsigned varints, the value's mantissa (zigzag varint, or length-prefixed two's
 * complement bytes) and scale, the meter time and the receive time as zigzag epoch seconds plus
 * nanoseconds, status, and the RSSI.
 *
 * <p>Thread-safe (stateless).
 */
public final class ReadingRecords implements ReadingEncoder {

    /** First byte of a record. */
    static final byte FORMAT = 0x01;

    private static final int HAS_METER_TIME = 1;
    private static final int HAS_RSSI = 2;
    private static final int BIG_MANTISSA = 4;

    @Override
    public byte[] encode(long seq, Reading r) {
        return encode(JsonPayloads.wire(seq, r));
    }

    /** Whether {@code body} is a record (else it is a JSON v1 object, as stored before or under {@code payload: json}). */
    static boolean isRecord(byte[] body) {
        return body.length > 0 && body[0] == FORMAT;
    }

    /** The record of {@code r} (its seq is not kept). */
    public static byte[] encode(WireReading r) {
        Out o = new Out(96);
        o.b[o.n++] = FORMAT;
        BigInteger mantissa = r.value().unscaledValue();
        boolean big = mantissa.bitLength() >= 64;
        o.b[o.n++] = (byte) ((r.meterTime() != null ? HAS_METER_TIME : 0) | (r.rssi() != null ? HAS_RSSI : 0) | (big ? BIG_MANTISSA : 0));
        o.string(r.meter());
        o.string(r.quantity());
        o.string(r.unit());
        o.string(r.function());
        o.varint(r.storage());
        o.varint(r.tariff());
        o.varint(r.subunit());
        if (big) {
            byte[] m = mantissa.toByteArray();
            o.varint(m.length);
            o.bytes(m, 0, m.length);
        } else {
            o.zigzag(mantissa.longValue());
        }
        o.zigzag(r.value().scale());
        if (r.meterTime() != null) {
            o.zigzag(r.meterTime().getEpochSecond());
            o.varint(r.meterTime().getNano());
        }
        o.zigzag(r.received().getEpochSecond());
        o.varint(r.received().getNano());
        o.zigzag(r.status());
        if (r.rssi() != null) o.zigzag(r.rssi());
        return Arrays.copyOf(o.b, o.n);
    }

    /**
     * The reading a stored record holds.
     *
     * @throws PayloadFormat.UnreadableReading when its body is not a well-formed record
     */
    static WireReading read(io.meterlink.core.buffer.StoredReading r) {
        try {
            return carried(decode(r.seq(), r.body()));
        } catch (IllegalArgumentException e) {
            throw new PayloadFormat.UnreadableReading(r.seq(), "stored reading " + r.seq() + " cannot be read back: " + e.getMessage(), e);
        }
    }

    /**
     * {@code r}, when a message can carry its value.
     *
     * @throws IllegalArgumentException when JSON v1 cannot ({@link JsonV1#carries}): no message is sent
     *                                  that a head-end could not read, whatever the format
     */
    static WireReading carried(WireReading r) {
        if (!JsonV1.carries(r.value())) {
            throw new IllegalArgumentException("value of " + r.value().precision() + " digits, scale " + r.value().scale()
                    + ", is longer than the " + JsonV1.MAX_NUMBER_LENGTH + " characters a v1 number may have");
        }
        return r;
    }

    /**
     * The reading stored as {@code body} under {@code seq}.
     *
     * @throws IllegalArgumentException when {@code body} is not a well-formed record
     */
    public static WireReading decode(long seq, byte[] body) {
        In in = new In(body);
        try {
            if (in.u8() != FORMAT) throw new IllegalArgumentException("not a stored reading record");
            int flags = in.u8();
            if ((flags & ~(HAS_METER_TIME | HAS_RSSI | BIG_MANTISSA)) != 0) throw new IllegalArgumentException("unknown flags " + flags);
            String meter = in.string();
            String quantity = in.string();
            String unit = in.string();
            String function = in.string();
            int storage = in.intVarint();
            int tariff = in.intVarint();
            int subunit = in.intVarint();
            BigDecimal value;
            if ((flags & BIG_MANTISSA) != 0) {
                int len = in.intVarint();
                value = new BigDecimal(new BigInteger(in.bytes(len)), in.intZigzag());
            } else {
                long m = in.zigzag();
                value = BigDecimal.valueOf(m, in.intZigzag());
            }
            Instant meterTime = (flags & HAS_METER_TIME) != 0 ? Instant.ofEpochSecond(in.zigzag(), in.nanos()) : null;
            Instant received = Instant.ofEpochSecond(in.zigzag(), in.nanos());
            int status = in.intZigzag();
            Integer rssi = (flags & HAS_RSSI) != 0 ? in.intZigzag() : null;
            if (in.pos != body.length) throw new IllegalArgumentException("trailing bytes in a stored reading record");
            return new WireReading(seq, meter, quantity, unit, value, function, storage, tariff, subunit, meterTime, received, status, rssi);
        } catch (ArrayIndexOutOfBoundsException | java.time.DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("malformed stored reading record: " + e.getMessage(), e);
        }
    }

    private static final class Out {
        byte[] b;
        int n;

        Out(int capacity) {
            b = new byte[capacity];
        }

        private void room(int k) {
            if (n + k > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, n + k));
        }

        void varint(long v) {
            room(10);
            while ((v & ~0x7FL) != 0) {
                b[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[n++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        void bytes(byte[] src, int off, int len) {
            room(len);
            System.arraycopy(src, off, b, n, len);
            n += len;
        }

        void string(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            varint(u.length);
            bytes(u, 0, u.length);
        }
    }

    private static final class In {
        final byte[] b;
        int pos;

        In(byte[] b) {
            this.b = b;
        }

        int u8() {
            return b[pos++] & 0xFF;
        }

        /** An unsigned LEB128 varint of at most 64 bits, written as {@link Out#varint} writes it (no redundant zero byte). */
        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = b[pos++];
                if (shift == 63 && (x & 0xFF) > 1) throw new IllegalArgumentException("varint beyond 64 bits");
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    if (x == 0 && shift > 0) throw new IllegalArgumentException("varint with a redundant zero byte");
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        /** Nanoseconds of a second: 0 to 999,999,999 (a larger count would move the time into another second). */
        int nanos() {
            int v = intVarint();
            if (v > 999_999_999) throw new IllegalArgumentException("nanoseconds out of range: " + v);
            return v;
        }

        long zigzag() {
            long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        int intVarint() {
            long v = varint();
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("value out of range: " + v);
            return (int) v;
        }

        int intZigzag() {
            long v = zigzag();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new IllegalArgumentException("value out of range: " + v);
            return (int) v;
        }

        byte[] bytes(int len) {
            if (len > b.length - pos) throw new IllegalArgumentException("length beyond the record: " + len);
            byte[] out = Arrays.copyOfRange(b, pos, pos + len);
            pos += len;
            return out;
        }

        /** Length-prefixed UTF-8; malformed UTF-8 is refused, never read as U+FFFD. */
        String string() {
            int len = intVarint();
            if (len > b.length - pos) throw new IllegalArgumentException("length beyond the record: " + len);
            boolean ascii = true;
            for (int i = pos; i < pos + len && ascii; i++) ascii = b[i] >= 0;
            String s;
            if (ascii) {
                s = new String(b, pos, len, StandardCharsets.ISO_8859_1);
            } else {
                try {
                    s = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(b, pos, len)).toString();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("malformed UTF-8 in a stored reading record");
                }
            }
            pos += len;
            return s;
        }
    }
}
