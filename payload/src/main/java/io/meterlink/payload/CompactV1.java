package io.meterlink.payload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compact payload format v1 (docs/payloads.md, "Compact payload"): one leading format byte, then a
 * CBOR map (RFC 8949), optionally DEFLATE-compressed (RFC 1951, raw). Per batch: a dictionary of meter
 * ids and one of registers (quantity, unit, function, storage, tariff, subunit); per reading a CBOR
 * array of delta-coded seq, dictionary indexes, the exact value as mantissa and scale, delta-coded
 * times as whole seconds plus a fraction at the batch's precision, status and the optional RSSI.
 * Every field of every reading comes back exactly ({@link WireReading#equals}).
 *
 * <p>Thread-safe (stateless).
 */
public final class CompactV1 {

    /** First byte: compact v1, CBOR as it is. */
    public static final int HEADER_PLAIN = 0x10;
    /** First byte: compact v1, raw DEFLATE of the CBOR. */
    public static final int HEADER_DEFLATE = 0x11;

    /** MQTT 5 content type of compact v1 batches (payload format indicator 0: bytes). */
    public static final String CONTENT_TYPE = "application/vnd.meterlink.compact;v=1";

    /** Most readings, dictionary entries and inflated bytes a decoder accepts by default. */
    public static final int MAX_READINGS = 100_000;
    public static final int MAX_INFLATED_BYTES = 64 * 1024 * 1024;

    /** Whether the encoder compresses. */
    public enum Compression {
        /** CBOR as it is (header {@link #HEADER_PLAIN}). */
        NONE,
        /** DEFLATE the CBOR when that makes the message smaller (header {@link #HEADER_DEFLATE}), else as NONE. */
        DEFLATE
    }

    private static final CBORFactory CBOR = CBORFactory.builder().build();
    private static final int[] POW10 = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};
    /** DEFLATE level: 1 (fastest) costs a little size and much less CPU on a Pi-class gateway. */
    private static final int DEFLATE_LEVEL = Deflater.BEST_SPEED;

    private CompactV1() {
    }

    private record Register(String quantity, String unit, String function, int storage, int tariff, int subunit) {
        static Register of(WireReading r) {
            return new Register(r.quantity(), r.unit(), r.function(), r.storage(), r.tariff(), r.subunit());
        }
    }

    // ---------------------------------------------------------------- encoding

    /** The message for {@code batch}. */
    public static byte[] encode(ReadingsBatch batch, Compression compression) {
        List<WireReading> rs = batch.readings();
        Map<String, Integer> meters = new HashMap<>();
        List<String> meterList = new ArrayList<>();
        Map<Register, Integer> regs = new HashMap<>();
        List<Register> regList = new ArrayList<>();
        int mtDigits = 0;
        int rxDigits = 0;
        // each reading's dictionary indexes, kept from this pass for the rows below
        int[] meterIndex = new int[rs.size()];
        int[] regIndex = new int[rs.size()];
        for (int i = 0; i < rs.size(); i++) {
            WireReading r = rs.get(i);
            Integer m = meters.putIfAbsent(r.meter(), meters.size());
            if (m == null) {
                m = meterList.size();
                meterList.add(r.meter());
            }
            meterIndex[i] = m;
            Register g = Register.of(r);
            Integer x = regs.putIfAbsent(g, regs.size());
            if (x == null) {
                x = regList.size();
                regList.add(g);
            }
            regIndex[i] = x;
            if (r.meterTime() != null) mtDigits = Math.max(mtDigits, digits(r.meterTime().getNano()));
            rxDigits = Math.max(rxDigits, digits(r.received().getNano()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 24 * rs.size());
        out.write(HEADER_PLAIN);
        try (CBORGenerator g = CBOR.createGenerator(out)) {
            g.writeStartObject(6);
            g.writeFieldName("gw");
            g.writeString(batch.gw());
            g.writeFieldName("sent");
            g.writeStartArray(null, 2);
            g.writeNumber(batch.sent().getEpochSecond());
            g.writeNumber(batch.sent().getNano());
            g.writeEndArray();
            g.writeFieldName("meters");
            g.writeStartArray(null, meterList.size());
            for (String m : meterList) g.writeString(m);
            g.writeEndArray();
            g.writeFieldName("regs");
            g.writeStartArray(null, regList.size());
            for (Register r : regList) {
                g.writeStartArray(null, 6);
                g.writeString(r.quantity());
                g.writeString(r.unit());
                g.writeString(r.function());
                g.writeNumber(r.storage());
                g.writeNumber(r.tariff());
                g.writeNumber(r.subunit());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeFieldName("tu");
            g.writeStartArray(null, 2);
            g.writeNumber(mtDigits);
            g.writeNumber(rxDigits);
            g.writeEndArray();
            g.writeFieldName("r");
            g.writeStartArray(null, rs.size());
            long prevSeq = 0;
            long prevMt = 0;
            long prevRx = 0;
            for (int i = 0; i < rs.size(); i++) {
                WireReading r = rs.get(i);
                int len = 8 + (r.meterTime() != null && mtDigits > 0 ? 1 : 0) + (rxDigits > 0 ? 1 : 0) + (r.rssi() != null ? 1 : 0);
                g.writeStartArray(null, len);
                g.writeNumber(r.seq() - prevSeq);
                prevSeq = r.seq();
                g.writeNumber(meterIndex[i]);
                g.writeNumber(regIndex[i]);
                BigInteger mantissa = r.value().unscaledValue();
                if (mantissa.bitLength() < 64) g.writeNumber(mantissa.longValue());
                else g.writeNumber(mantissa);
                g.writeNumber(r.value().scale());
                if (r.meterTime() == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(r.meterTime().getEpochSecond() - prevMt);
                    prevMt = r.meterTime().getEpochSecond();
                    if (mtDigits > 0) g.writeNumber(r.meterTime().getNano() / POW10[9 - mtDigits]);
                }
                g.writeNumber(r.received().getEpochSecond() - prevRx);
                prevRx = r.received().getEpochSecond();
                if (rxDigits > 0) g.writeNumber(r.received().getNano() / POW10[9 - rxDigits]);
                g.writeNumber(r.status());
                if (r.rssi() != null) g.writeNumber(r.rssi());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a byte array
        }
        byte[] plain = out.toByteArray();
        return compression == Compression.DEFLATE ? deflated(plain) : plain;
    }

    /** Fraction digits (0, 3, 6 or 9) that hold {@code nano} exactly. */
    private static int digits(int nano) {
        if (nano == 0) return 0;
        if (nano % 1_000_000 == 0) return 3;
        if (nano % 1_000 == 0) return 6;
        return 9;
    }

    private static byte[] deflated(byte[] plain) {
        Deflater d = new Deflater(DEFLATE_LEVEL, true);
        try {
            d.setInput(plain, 1, plain.length - 1);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 64);
            out.write(HEADER_DEFLATE);
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
                if (out.size() >= plain.length) return plain; // no gain: send it as it is
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    // ---------------------------------------------------------------- decoding

    /** Whether {@code message} starts like a compact v1 message (else it may be JSON v1). */
    public static boolean isCompact(byte[] message) {
        return message.length > 0 && (message[0] == HEADER_PLAIN || message[0] == HEADER_DEFLATE);
    }

    /** Decodes a compact v1 message with the default limits. */
    public static ReadingsBatch decode(byte[] message) throws PayloadException {
        return decode(message, MAX_INFLATED_BYTES);
    }

    /** Decodes a compact v1 message whose CBOR may inflate to at most {@code maxInflatedBytes}. */
    public static ReadingsBatch decode(byte[] message, int maxInflatedBytes) throws PayloadException {
        if (!isCompact(message)) {
            throw new PayloadException(PayloadException.Kind.UNKNOWN_FORMAT, message.length == 0 ? "empty message"
                    : String.format("leading byte 0x%02x is not a compact v1 format byte (0x10, 0x11)", message[0] & 0xff));
        }
        byte[] cbor;
        int offset;
        if (message[0] == HEADER_DEFLATE) {
            cbor = inflate(message, maxInflatedBytes);
            offset = 0;
        } else {
            cbor = message;
            offset = 1;
        }
        try (JsonParser p = CBOR.createParser(cbor, offset, cbor.length - offset)) {
            ReadingsBatch b = readBatch(p);
            if (p.nextToken() != null) throw content("trailing data after the batch");
            return b;
        } catch (JsonProcessingException e) {
            throw new PayloadException(PayloadException.Kind.SYNTAX, "not CBOR: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw content("bad field: " + e.getMessage());
        }
    }

    private static byte[] inflate(byte[] message, int max) throws PayloadException {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(message, 1, message.length - 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, message.length * 4));
            byte[] buf = new byte[8192];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new PayloadException(PayloadException.Kind.COMPRESSION, "truncated DEFLATE stream");
                }
                out.write(buf, 0, n);
                if (out.size() > max) {
                    throw new PayloadException(PayloadException.Kind.COMPRESSION, "inflates beyond " + max + " bytes");
                }
            }
            if (inf.getRemaining() > 0) throw new PayloadException(PayloadException.Kind.COMPRESSION, "data after the DEFLATE stream");
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new PayloadException(PayloadException.Kind.COMPRESSION, "not DEFLATE: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static ReadingsBatch readBatch(JsonParser p) throws IOException, PayloadException {
        if (p.nextToken() != JsonToken.START_OBJECT) throw content("a batch must be a CBOR map");
        String gw = null;
        Instant sent = null;
        List<String> meters = null;
        List<Register> regs = null;
        int[] tu = null;
        List<WireReading> readings = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken vt = p.nextToken();
            switch (name) {
                case "gw" -> gw = text(p, vt, "gw");
                case "sent" -> {
                    start(vt, "sent");
                    long s = integer(p, "sent", Long.MIN_VALUE, Long.MAX_VALUE);
                    int n = (int) integer(p, "sent", 0, 999_999_999);
                    end(p, "sent");
                    sent = Instant.ofEpochSecond(s, n);
                }
                case "meters" -> {
                    start(vt, "meters");
                    meters = new ArrayList<>();
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        if (meters.size() >= MAX_READINGS) throw content("too many meters");
                        meters.add(text(p, e, "meters[]"));
                    }
                }
                case "regs" -> {
                    start(vt, "regs");
                    regs = new ArrayList<>();
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        if (regs.size() >= MAX_READINGS) throw content("too many registers");
                        start(e, "regs[]");
                        regs.add(new Register(text(p, p.nextToken(), "quantity"), text(p, p.nextToken(), "unit"),
                                text(p, p.nextToken(), "function"), (int) integer(p, "storage", 0, Integer.MAX_VALUE),
                                (int) integer(p, "tariff", 0, Integer.MAX_VALUE), (int) integer(p, "subunit", 0, Integer.MAX_VALUE)));
                        end(p, "regs[]");
                    }
                }
                case "tu" -> {
                    start(vt, "tu");
                    tu = new int[]{fractionDigits(p), fractionDigits(p)};
                    end(p, "tu");
                }
                case "r" -> {
                    if (meters == null || regs == null || tu == null) throw content("\"r\" must follow meters, regs and tu");
                    start(vt, "r");
                    readings = readRows(p, meters, regs, tu);
                }
                default -> p.skipChildren(); // a later v1 field this decoder does not know
            }
        }
        if (gw == null || sent == null || readings == null) throw content("a batch needs gw, sent and r");
        if (readings.isEmpty()) throw content("empty batch");
        return new ReadingsBatch(gw, sent, readings);
    }

    private static List<WireReading> readRows(JsonParser p, List<String> meters, List<Register> regs, int[] tu)
            throws IOException, PayloadException {
        List<WireReading> out = new ArrayList<>();
        long seq = 0;
        long mt = 0;
        long rx = 0;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (out.size() >= MAX_READINGS) throw content("more than " + MAX_READINGS + " readings");
            start(e, "r[]");
            seq += integer(p, "seq", Long.MIN_VALUE, Long.MAX_VALUE); // two's complement, as the encoder subtracts
            String meter = meters.get((int) integer(p, "meter index", 0, meters.size() - 1));
            Register reg = regs.get((int) integer(p, "register index", 0, regs.size() - 1));
            BigInteger mantissa = bigInteger(p, "mantissa");
            int scale = (int) integer(p, "scale", Integer.MIN_VALUE, Integer.MAX_VALUE);
            Instant meterTime = null;
            if (p.nextToken() != JsonToken.VALUE_NULL) {
                mt = Math.addExact(mt, current(p, "meter time"));
                meterTime = Instant.ofEpochSecond(mt, fraction(p, tu[0], "meter time"));
            }
            rx = Math.addExact(rx, integer(p, "received", Long.MIN_VALUE, Long.MAX_VALUE));
            Instant received = Instant.ofEpochSecond(rx, fraction(p, tu[1], "received"));
            int status = (int) integer(p, "status", Integer.MIN_VALUE, Integer.MAX_VALUE);
            Integer rssi = null;
            JsonToken last = p.nextToken();
            if (last != JsonToken.END_ARRAY) {
                long v = current(p, "rssi");
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw content("rssi out of range: " + v);
                rssi = (int) v;
                end(p, "r[]");
            }
            out.add(new WireReading(seq, meter, reg.quantity(), reg.unit(), new BigDecimal(mantissa, scale), reg.function(),
                    reg.storage(), reg.tariff(), reg.subunit(), meterTime, received, status, rssi));
        }
        return out;
    }

    private static int fractionDigits(JsonParser p) throws IOException, PayloadException {
        int d = (int) integer(p, "tu", 0, 9);
        if (d % 3 != 0) throw content("tu must be 0, 3, 6 or 9, was " + d);
        return d;
    }

    private static int fraction(JsonParser p, int digits, String name) throws IOException, PayloadException {
        if (digits == 0) return 0;
        return (int) integer(p, name + " fraction", 0, POW10[digits] - 1) * POW10[9 - digits];
    }

    private static void start(JsonToken t, String name) throws PayloadException {
        if (t != JsonToken.START_ARRAY) throw content(name + " must be an array");
    }

    private static void end(JsonParser p, String name) throws IOException, PayloadException {
        if (p.nextToken() != JsonToken.END_ARRAY) throw content(name + " has extra elements");
    }

    private static String text(JsonParser p, JsonToken t, String name) throws IOException, PayloadException {
        if (t != JsonToken.VALUE_STRING) throw content(name + " must be a text string");
        return p.getText();
    }

    /** The next token as an integer in [min, max]. */
    private static long integer(JsonParser p, String name, long min, long max) throws IOException, PayloadException {
        p.nextToken();
        long v = current(p, name);
        if (v < min || v > max) throw content(name + " out of range: " + v);
        return v;
    }

    /** The current token as a long. */
    private static long current(JsonParser p, String name) throws IOException, PayloadException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw content(name + " must be an integer");
        }
        return p.getLongValue();
    }

    private static BigInteger bigInteger(JsonParser p, String name) throws IOException, PayloadException {
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) throw content(name + " must be an integer");
        return p.getBigIntegerValue();
    }

    private static PayloadException content(String message) {
        return new PayloadException(PayloadException.Kind.CONTENT, message);
    }
}
