package io.meterlink.drivers.coap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import io.meterlink.core.api.driver.DecodeException;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SenML packs (RFC 8428) in JSON ({@code application/senml+json}, §5) or CBOR
 * ({@code application/senml+cbor}, §6), told apart by the first byte: a pack is an array of flat
 * maps; base fields carry over to the records after them (§4.6). Hostile input gets a typed
 * {@link DecodeException}: nesting inside a record, a wrong type, a non-finite number, a bad or
 * missing name ({@code syntax}/{@code value_range}); more than {@link #MAX_RECORDS} records or
 * {@link #MAX_BYTES} bytes ({@code length}); an unknown must-understand label or a newer version
 * ({@code unsupported}). Stateless, thread-safe.
 */
final class Senml {
    static final int MAX_RECORDS = 4096;
    static final int MAX_BYTES = 256 * 1024;
    /** RFC 8428 §4.5.1: a name starts with a letter or digit; then letters, digits and {@code : . / - _}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:./_-]*");
    private static final int MAX_NAME = 256;
    /** Times beyond year 5000 (seconds) are nobody's meter clock. */
    private static final BigDecimal LATEST = BigDecimal.valueOf(95_617_584_000L);
    /** bver 10 is RFC 8428's version. */
    private static final int VERSION = 10;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(64).maxStringLength(4096).build())
            .build();
    private static final CBORFactory CBOR = CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(64).maxStringLength(4096).build())
            .build();

    private Senml() { }

    /** Whether {@code doc} looks like a SenML pack: JSON starting with {@code [} or CBOR starting with an array. */
    static boolean isCbor(byte[] doc) {
        return doc.length > 0 && (doc[0] & 0xE0) == 0x80;
    }

    static List<SenmlRecord> parse(byte[] doc) throws DecodeException {
        if (doc.length > MAX_BYTES) throw new DecodeException(DecodeException.Kind.LENGTH, "SenML pack of " + doc.length + " bytes, more than " + MAX_BYTES);
        int i = 0;
        while (i < doc.length && Character.isWhitespace(doc[i])) i++;
        if (i == doc.length) throw new DecodeException(DecodeException.Kind.TRUNCATED, "empty SenML pack");
        boolean cbor = isCbor(doc);
        if (!cbor && doc[i] != '[') throw new DecodeException(DecodeException.Kind.SYNTAX, "not a SenML pack: neither a JSON nor a CBOR array");
        try (JsonParser p = cbor ? CBOR.createParser(doc) : JSON.createParser(doc)) {
            return pack(p, cbor);
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw new DecodeException(DecodeException.Kind.TRUNCATED, "the pack ends early", null, e);
        } catch (IOException e) {
            // Jackson's own syntax errors (and its nesting/length limits)
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new DecodeException(DecodeException.Kind.SYNTAX, "malformed " + (cbor ? "CBOR" : "JSON") + ": " + msg, null, e);
        }
    }

    private static final class Base {
        String name = "";
        BigDecimal time = BigDecimal.ZERO;
        String unit;
        BigDecimal value = BigDecimal.ZERO;
        BigDecimal sum = BigDecimal.ZERO;
    }

    private static List<SenmlRecord> pack(JsonParser p, boolean cbor) throws IOException, DecodeException {
        if (p.nextToken() != JsonToken.START_ARRAY) throw new DecodeException(DecodeException.Kind.SYNTAX, "a SenML pack is an array");
        Base base = new Base();
        List<SenmlRecord> out = new ArrayList<>();
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) throw new DecodeException(DecodeException.Kind.TRUNCATED, "the pack ends inside its array");
            if (t != JsonToken.START_OBJECT) throw new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + " is not a map");
            if (++index > MAX_RECORDS) throw new DecodeException(DecodeException.Kind.LENGTH, "more than " + MAX_RECORDS + " records");
            record(p, cbor, base, index - 1, out);
        }
        if (p.nextToken() != null) throw new DecodeException(DecodeException.Kind.SYNTAX, "bytes after the pack's array");
        if (out.isEmpty()) throw new DecodeException(DecodeException.Kind.TRUNCATED, "a pack without a value");
        return out;
    }

    /** CBOR labels (RFC 8428 §6, Table 4) to their JSON names. */
    private static String label(JsonParser p, boolean cbor) throws IOException {
        String name = p.currentName();
        if (!cbor) return name;
        return switch (name) {
            case "-1" -> "bver";
            case "-2" -> "bn";
            case "-3" -> "bt";
            case "-4" -> "bu";
            case "-5" -> "bv";
            case "-6" -> "bs";
            case "0" -> "n";
            case "1" -> "u";
            case "2" -> "v";
            case "3" -> "vs";
            case "4" -> "vb";
            case "5" -> "s";
            case "6" -> "t";
            case "7" -> "ut";
            case "8" -> "vd";
            default -> name;
        };
    }

    private static void record(JsonParser p, boolean cbor, Base base, int index, List<SenmlRecord> out) throws IOException, DecodeException {
        String n = "";
        String u = null;
        BigDecimal v = null;
        BigDecimal s = null;
        BigDecimal t = BigDecimal.ZERO;
        String text = null;
        JsonToken tok;
        while ((tok = p.nextToken()) != JsonToken.END_OBJECT) {
            if (tok == null) throw new DecodeException(DecodeException.Kind.TRUNCATED, "the pack ends inside record " + index);
            String label = label(p, cbor);
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
                throw new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + ": '" + label + "' holds a nested value");
            }
            switch (label) {
                case "bver" -> {
                    BigDecimal ver = number(p, label, index);
                    if (ver.compareTo(BigDecimal.valueOf(VERSION)) > 0) {
                        throw new DecodeException(DecodeException.Kind.UNSUPPORTED, "SenML version " + ver.toPlainString() + " (this reads " + VERSION + ")");
                    }
                }
                case "bn" -> base.name = string(p, label, index);
                case "bt" -> base.time = number(p, label, index);
                case "bu" -> base.unit = string(p, label, index);
                case "bv" -> base.value = number(p, label, index);
                case "bs" -> base.sum = number(p, label, index);
                case "n" -> n = string(p, label, index);
                case "u" -> u = string(p, label, index);
                case "v" -> v = number(p, label, index);
                case "s" -> s = number(p, label, index);
                case "t" -> t = number(p, label, index);
                case "vs" -> text = string(p, label, index);
                case "vb" -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) throw wrongType(label, index, "a boolean");
                    text = Boolean.toString(value == JsonToken.VALUE_TRUE);
                }
                case "vd" -> text = value == JsonToken.VALUE_EMBEDDED_OBJECT ? Base64.getUrlEncoder().withoutPadding().encodeToString(p.getBinaryValue())
                        : string(p, label, index);
                case "ut" -> number(p, label, index);
                default -> {
                    if (label.endsWith("_")) throw new DecodeException(DecodeException.Kind.UNSUPPORTED, "record " + index + ": must-understand label '" + label + "'");
                    // other labels are extensions this reader may ignore (RFC 8428 §4.4)
                }
            }
        }
        String name = base.name + n;
        if (name.isEmpty()) throw new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + " has no name (neither bn nor n)");
        if (name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            throw new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + ": invalid name '" + abbreviate(name) + "'");
        }
        String unit = u != null ? u : base.unit;
        BigDecimal time = base.time.add(t);
        if (time.abs().compareTo(LATEST) > 0) throw new DecodeException(DecodeException.Kind.VALUE_RANGE, "record " + index + ": time out of range");
        boolean any = false;
        if (v != null || text == null && s == null && base.value.signum() != 0) {
            out.add(new SenmlRecord(name, unit, base.value.add(v == null ? BigDecimal.ZERO : v), false, null, time));
            any = true;
        }
        if (s != null) {
            out.add(new SenmlRecord(name, unit, base.sum.add(s), true, null, time));
            any = true;
        }
        if (text != null) {
            out.add(new SenmlRecord(name, unit, null, false, text, time));
            any = true;
        }
        if (!any && n.isEmpty() && u == null) return; // a record of base fields only
        if (!any) throw new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + " (" + abbreviate(name) + ") has no value");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static DecodeException wrongType(String label, int index, String expected) {
        return new DecodeException(DecodeException.Kind.SYNTAX, "record " + index + ": '" + label + "' must be " + expected);
    }

    private static String string(JsonParser p, String label, int index) throws IOException, DecodeException {
        if (p.currentToken() != JsonToken.VALUE_STRING) throw wrongType(label, index, "a string");
        return p.getText();
    }

    private static BigDecimal number(JsonParser p, String label, int index) throws IOException, DecodeException {
        JsonToken t = p.currentToken();
        BigDecimal n;
        if (t == JsonToken.VALUE_NUMBER_INT) {
            n = new BigDecimal(p.getBigIntegerValue());
        } else if (t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(label, index, "a number");
        } else if (p instanceof CBORParser) {
            double d = p.getDoubleValue(); // a CBOR half, single or double float: its shortest decimal
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new DecodeException(DecodeException.Kind.VALUE_RANGE, "record " + index + ": '" + label + "' is not a finite number");
            }
            n = BigDecimal.valueOf(d);
        } else {
            n = p.getDecimalValue(); // JSON text: its exact decimal (NaN and Infinity are not JSON)
        }
        // 1e999999999 is a valid number but no meter's: keep values printable and comparable
        if (n.precision() > 40 || n.scale() > 40 || n.scale() < -40) {
            throw new DecodeException(DecodeException.Kind.VALUE_RANGE, "record " + index + ": '" + label + "' is out of range");
        }
        return n;
    }
}
