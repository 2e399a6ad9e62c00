package io.meterlink.payload;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Payload format v1: JSON (UTF-8), one object per reading, batches as {@code {"v":1,"type":"readings",…}}
 * (docs/payloads.md). Writes exactly the bytes the gateway publishes; reads them back, rebuilding the
 * measurement key from the fields and refusing a reading whose {@code "key"} differs from it.
 *
 * <p>Thread-safe (stateless).
 */
public final class JsonV1 {

    /** The {@code "v"} of every v1 message. */
    public static final int VERSION = 1;

    /** MQTT 5 content type of v1 readings batches (payload format indicator 1: UTF-8). */
    public static final String CONTENT_TYPE = "application/json";

    /** Longest number a v1 message may hold, in characters; a reader refuses a longer one. */
    public static final int MAX_NUMBER_LENGTH = 400;

    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) // exact decimal, never 1E+3
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(MAX_NUMBER_LENGTH).build())
            .build();

    /**
     * Whether a v1 message can carry {@code value}: written plainly (never in exponent form) it takes
     * at most {@link #MAX_NUMBER_LENGTH} characters, sign and point included. A compact message must
     * not carry a value its JSON v1 form could not.
     */
    public static boolean carries(BigDecimal value) {
        long digits = value.precision();
        long scale = value.scale();
        long length = scale <= 0 ? digits - scale : digits > scale ? digits + 1 : scale + 2;
        return length + (value.signum() < 0 ? 1 : 0) <= MAX_NUMBER_LENGTH;
    }

    private JsonV1() {
    }

    /** One reading object as stored by the gateway and sent inside a batch. */
    public static byte[] reading(String gw, WireReading r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(320);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            writeReading(g, gw, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen with a byte array
        }
        return out.toByteArray();
    }

    private static void writeReading(JsonGenerator g, String gw, WireReading r) throws IOException {
        g.writeStartObject();
        g.writeStringField("gw", gw);
        g.writeNumberField("seq", r.seq());
        g.writeStringField("meter", r.meter());
        g.writeStringField("quantity", r.quantity());
        g.writeStringField("unit", r.unit());
        g.writeFieldName("value");
        g.writeNumber(r.value());
        g.writeStringField("function", r.function());
        g.writeNumberField("storage", r.storage());
        g.writeNumberField("tariff", r.tariff());
        g.writeNumberField("subunit", r.subunit());
        if (r.meterTime() != null) {
            g.writeStringField("meter_time", r.meterTime().toString());
        } else {
            g.writeNullField("meter_time");
        }
        g.writeStringField("received", r.received().toString());
        g.writeNumberField("status", r.status());
        if (r.rssi() != null) g.writeNumberField("rssi", r.rssi());
        g.writeStringField("key", r.measurementKey());
        g.writeEndObject();
    }

    /** The v1 batch head up to and including {@code "batch":}; the gateway appends the rest. */
    public static byte[] batchHead(String gw) {
        return ("{\"v\":" + VERSION + ",\"type\":\"readings\",\"gw\":" + quote(gw) + ",\"batch\":")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The rest of a batch after {@link #batchHead}, up to the opening of the readings array. */
    public static byte[] batchMiddle(long firstSeq, long lastSeq, Instant sent) {
        return ("\"" + firstSeq + "-" + lastSeq + "\",\"sent\":\"" + sent + "\",\"readings\":[")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A whole v1 readings batch; the same bytes as the gateway publishes for these readings. */
    public static byte[] batch(ReadingsBatch b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 330 * b.readings().size());
        out.writeBytes(batchHead(b.gw()));
        List<WireReading> rs = b.readings();
        out.writeBytes(batchMiddle(rs.get(0).seq(), rs.get(rs.size() - 1).seq(), b.sent()));
        for (int i = 0; i < rs.size(); i++) {
            if (i > 0) out.write(',');
            out.writeBytes(reading(b.gw(), rs.get(i)));
        }
        out.write(']');
        out.write('}');
        return out.toByteArray();
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A reading object and the gateway id it names. */
    public record Parsed(String gw, WireReading reading) {
    }

    /** Reads one reading object (as stored by the gateway, or one element of a batch's array), checking its key. */
    public static Parsed parseReading(byte[] json) throws PayloadException {
        return parseReading(json, true);
    }

    /**
     * As {@link #parseReading(byte[])}; {@code checkKey} false skips comparing {@code "key"} with the key
     * rebuilt from the fields (for objects the caller wrote itself and keeps under a checksum).
     */
    public static Parsed parseReading(byte[] json, boolean checkKey) throws PayloadException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw content("a reading must be a JSON object");
            Parsed r = readReading(p, checkKey);
            if (p.nextToken() != null) throw content("trailing data after the reading");
            return r;
        } catch (JsonProcessingException e) {
            throw new PayloadException(PayloadException.Kind.SYNTAX, "not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a whole v1 readings batch. */
    public static ReadingsBatch parseBatch(byte[] json) throws PayloadException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw content("a batch must be a JSON object");
            String gw = null;
            Instant sent = null;
            Integer v = null;
            String type = null;
            List<Parsed> readings = null;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken vt = p.nextToken();
                switch (name) {
                    case "v" -> v = vt == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "type" -> type = text(p, vt, name);
                    case "gw" -> gw = text(p, vt, name);
                    case "sent" -> sent = instant(text(p, vt, name), name);
                    case "readings" -> {
                        if (vt != JsonToken.START_ARRAY) throw content("readings must be an array");
                        readings = new ArrayList<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) readings.add(readReading(p, true));
                        if (p.currentToken() != JsonToken.END_ARRAY) throw content("readings must hold objects");
                    }
                    default -> p.skipChildren();
                }
            }
            if (v == null || v != VERSION) throw content("not a v1 message (\"v\": " + v + ")");
            if (!"readings".equals(type)) throw content("not a readings message (\"type\": " + type + ")");
            if (gw == null || sent == null || readings == null || readings.isEmpty()) {
                throw content("a batch needs gw, sent and a non-empty readings array");
            }
            List<WireReading> out = new ArrayList<>(readings.size());
            for (Parsed r : readings) {
                if (r.gw() != null && !r.gw().equals(gw)) throw content("reading " + r.reading().seq() + " names another gateway");
                out.add(r.reading());
            }
            return new ReadingsBatch(gw, sent, out);
        } catch (JsonProcessingException e) {
            throw new PayloadException(PayloadException.Kind.SYNTAX, "not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the fields of a reading object whose START_OBJECT is the current token. */
    private static Parsed readReading(JsonParser p, boolean checkKey) throws IOException, PayloadException {
        String gw = null, meter = null, quantity = null, unit = null, function = null, key = null;
        Long seq = null;
        BigDecimal value = null;
        Integer storage = null, tariff = null, subunit = null, status = null, rssi = null;
        Instant meterTime = null, received = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken vt = p.nextToken();
            switch (name) {
                case "gw" -> gw = text(p, vt, name);
                case "seq" -> seq = integer(p, vt, name, Long.MIN_VALUE, Long.MAX_VALUE);
                case "meter" -> meter = text(p, vt, name);
                case "quantity" -> quantity = text(p, vt, name);
                case "unit" -> unit = text(p, vt, name);
                case "value" -> {
                    if (vt != JsonToken.VALUE_NUMBER_INT && vt != JsonToken.VALUE_NUMBER_FLOAT) throw content("value must be a number");
                    try {
                        value = p.getDecimalValue();
                    } catch (NumberFormatException e) { // e.g. 1e2147483648: an exponent beyond a decimal's scale
                        throw new PayloadException(PayloadException.Kind.SYNTAX, "value is not a decimal: " + e.getMessage(), e);
                    }
                }
                case "function" -> function = text(p, vt, name);
                case "storage" -> storage = (int) integer(p, vt, name, 0, Integer.MAX_VALUE);
                case "tariff" -> tariff = (int) integer(p, vt, name, 0, Integer.MAX_VALUE);
                case "subunit" -> subunit = (int) integer(p, vt, name, 0, Integer.MAX_VALUE);
                case "meter_time" -> meterTime = vt == JsonToken.VALUE_NULL ? null : instant(text(p, vt, name), name);
                case "received" -> received = instant(text(p, vt, name), name);
                case "status" -> status = (int) integer(p, vt, name, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case "rssi" -> rssi = vt == JsonToken.VALUE_NULL ? null : (int) integer(p, vt, name, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case "key" -> key = text(p, vt, name);
                default -> p.skipChildren();
            }
        }
        if (seq == null || meter == null || quantity == null || unit == null || value == null || function == null
                || storage == null || tariff == null || subunit == null || received == null || status == null) {
            throw content("a reading needs seq, meter, quantity, unit, value, function, storage, tariff, subunit, received and status");
        }
        WireReading r = new WireReading(seq, meter, quantity, unit, value, function, storage, tariff, subunit,
                meterTime, received, status, rssi);
        if (checkKey && key != null && !key.equals(r.measurementKey())) {
            throw content("reading " + seq + ": \"key\" does not match its fields (expected " + r.measurementKey() + ")");
        }
        return new Parsed(gw, r);
    }

    private static String text(JsonParser p, JsonToken t, String name) throws IOException, PayloadException {
        if (t != JsonToken.VALUE_STRING) throw content(name + " must be a string");
        return p.getText();
    }

    private static long integer(JsonParser p, JsonToken t, String name, long min, long max) throws IOException, PayloadException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw content(name + " must be an integer");
        }
        long v = p.getLongValue();
        if (v < min || v > max) throw content(name + " out of range: " + v);
        return v;
    }

    private static Instant instant(String s, String name) throws PayloadException {
        Instant fast = isoUtc(s);
        if (fast != null) return fast;
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw content(name + " is not an ISO-8601 UTC time: " + s);
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, the shape {@link Instant#toString()} writes for years
     * 0000–9999, read without the general formatter (a drain reads two per reading); {@code null} for
     * any other shape or an invalid field, which {@link Instant#parse} then decides.
     */
    static Instant isoUtc(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int nano = 0;
        if (n > 20) {
            int fd = n - 21;
            if (s.charAt(19) != '.' || fd < 1 || fd > 9) return null;
            nano = digits(s, 20, fd);
            if (nano < 0) return null;
            for (int i = fd; i < 9; i++) nano *= 10;
        }
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) return null;
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nano);
    }

    /** The decimal number of {@code len} ASCII digits at {@code from}, -1 when one is not a digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static PayloadException content(String message) {
        return new PayloadException(PayloadException.Kind.CONTENT, message);
    }
}
