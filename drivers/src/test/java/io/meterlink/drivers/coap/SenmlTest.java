package io.meterlink.drivers.coap;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SenmlTest {
    private static byte[] json(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static DecodeException.Kind refused(String doc) {
        return assertThrows(DecodeException.class, () -> Senml.parse(json(doc))).kind();
    }

    @Test
    void json_baseFieldsApplyToLaterRecords() throws Exception {
        // RFC 8428 §5.1.2-style pack: base name, base time, base unit; an accumulator with a base sum
        List<SenmlRecord> r = Senml.parse(json("""
                [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.7e9,"bu":"W","bs":1000,"n":"power","v":230.5},
                 {"n":"energy","u":"Wh","s":234.5,"t":-10},
                 {"n":"label","vs":"flat 12"}]"""));
        assertEquals(3, r.size());
        assertEquals("urn:dev:ow:10e2073a01080063:power", r.get(0).name());
        assertEquals("W", r.get(0).unit());
        assertEquals(new BigDecimal("230.5"), r.get(0).value());
        assertFalse(r.get(0).sum());
        assertEquals(new BigDecimal("1234.5"), r.get(1).value(), "base sum + sum");
        assertTrue(r.get(1).sum());
        assertEquals(0, new BigDecimal("1699999990").compareTo(r.get(1).time()), "base time + time");
        assertTrue(r.get(1).absoluteTime());
        assertEquals("flat 12", r.get(2).text());
        assertNull(r.get(2).value());
    }

    @Test
    void cbor_integerLabels_decodeLikeJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartArray();
            g.writeStartObject();
            g.writeFieldId(-2); g.writeString("meter1/");   // bn
            g.writeFieldId(-4); g.writeString("kWh");       // bu
            g.writeFieldId(0); g.writeString("energy");     // n
            g.writeFieldId(5); g.writeNumber(12.25);         // s
            g.writeEndObject();
            g.writeStartObject();
            g.writeFieldId(0); g.writeString("flow");       // n
            g.writeFieldId(1); g.writeString("l/s");        // u
            g.writeFieldId(2); g.writeNumber(0.5f);          // v, a single-precision float
            g.writeEndObject();
            g.writeEndArray();
        }
        List<SenmlRecord> r = Senml.parse(out.toByteArray());
        assertEquals("meter1/energy", r.get(0).name());
        assertTrue(r.get(0).sum());
        assertEquals(new BigDecimal("12.25"), r.get(0).value());
        assertEquals("l/s", r.get(1).unit());

        SenmlReadings.Result mapped = new SenmlReadings(MeterId.of("coap:senml:m1")).map(r, Instant.EPOCH);
        Reading energy = mapped.readings().get(0);
        assertEquals(Quantity.ENERGY, energy.quantity());
        assertEquals(new BigDecimal("12250"), energy.value(), "kWh → Wh");
        Reading flow = mapped.readings().get(1);
        assertEquals(Quantity.VOLUME_FLOW, flow.quantity());
        assertEquals(new BigDecimal("1.8"), flow.value(), "0.5 l/s → 1.8 m3/h");
    }

    @Test
    void readings_sameQuantityNames_getSubunits_andAccumulatorGoingBackIsReported() throws Exception {
        SenmlReadings m = new SenmlReadings(MeterId.of("coap:senml:m1"));
        String pack = """
                [{"bn":"m1/","n":"L1","u":"V","v":230},{"n":"L2","u":"V","v":231},{"n":"e","u":"Wh","s":%s},{"n":"x","u":"furlong","v":1}]""";
        SenmlReadings.Result first = m.map(Senml.parse(json(pack.formatted("100"))), Instant.EPOCH);
        assertEquals(List.of(0, 1, 0), first.readings().stream().map(Reading::subunit).toList());
        assertEquals(1, first.unreadable(), "an unknown unit is counted, not guessed");
        assertTrue(first.backwards().isEmpty());
        SenmlReadings.Result second = m.map(Senml.parse(json(pack.formatted("99"))), Instant.EPOCH);
        assertEquals(List.of("m1/e"), second.backwards());
    }

    @Test
    void hostile_wrongTypes_areSyntaxErrors() {
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"a\",\"v\":\"12\"}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":5,\"v\":1}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"a\",\"vb\":1}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("{\"n\":\"a\",\"v\":1}"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[1,2,3]"));
    }

    @Test
    void hostile_nesting_isRefusedWithoutRecursion() {
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"a\",\"v\":[1]}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[" + "[".repeat(100_000) + "]".repeat(100_000) + "]"));
    }

    @Test
    void hostile_nonFiniteAndHugeNumbers_areRefused() throws Exception {
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"a\",\"v\":NaN}]"), "NaN is not JSON");
        assertEquals(DecodeException.Kind.VALUE_RANGE, refused("[{\"n\":\"a\",\"v\":1e999999}]"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartArray();
            g.writeStartObject();
            g.writeFieldId(0); g.writeString("a");
            g.writeFieldId(2); g.writeNumber(Double.NaN);
            g.writeEndObject();
            g.writeEndArray();
        }
        assertEquals(DecodeException.Kind.VALUE_RANGE, assertThrows(DecodeException.class, () -> Senml.parse(out.toByteArray())).kind());
    }

    @Test
    void hostile_missingOrBadNames_areRefused() {
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"v\":1}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"-bad\",\"v\":1}]"));
        assertEquals(DecodeException.Kind.SYNTAX, refused("[{\"n\":\"a b\",\"v\":1}]"));
    }

    @Test
    void hostile_hugeArrays_andMustUnderstandLabels() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= Senml.MAX_RECORDS; i++) many.append(i == 0 ? "" : ",").append("{\"n\":\"a\",\"v\":1}");
        assertEquals(DecodeException.Kind.LENGTH, refused(many.append("]").toString()));
        assertEquals(DecodeException.Kind.LENGTH, assertThrows(DecodeException.class, () -> Senml.parse(new byte[Senml.MAX_BYTES + 1])).kind());
        assertEquals(DecodeException.Kind.UNSUPPORTED, refused("[{\"n\":\"a\",\"v\":1,\"foo_\":1}]"));
        assertEquals(DecodeException.Kind.UNSUPPORTED, refused("[{\"bver\":11,\"n\":\"a\",\"v\":1}]"));
        assertEquals(DecodeException.Kind.TRUNCATED, refused("[{\"n\":\"a\",\"v\":1}"));
    }

    @Test
    void anyBytes_giveRecordsOrATypedError() {
        Random random = new Random(12);
        byte[] seed = json("[{\"bn\":\"m/\",\"n\":\"e\",\"u\":\"Wh\",\"s\":1.5,\"t\":2}]");
        int inputs = 20_000;
        int parsed = 0;
        int refusedByType = 0; // neither a JSON nor a CBOR array: refused before the decoder
        java.util.Map<DecodeException.Kind, Integer> refused = new java.util.EnumMap<>(DecodeException.Kind.class);
        for (int i = 0; i < inputs; i++) {
            byte[] doc = random.nextBoolean() ? seed.clone() : new byte[random.nextInt(64)];
            if (doc.length == seed.length) {
                for (int k = 0; k < 1 + random.nextInt(4); k++) doc[random.nextInt(doc.length)] = (byte) random.nextInt(256);
            } else {
                random.nextBytes(doc);
                if (doc.length > 0 && random.nextBoolean()) doc[0] = (byte) (0x80 | random.nextInt(32)); // a CBOR array
            }
            try {
                assertFalse(Senml.parse(doc).isEmpty());
                parsed++;
            } catch (DecodeException e) {
                assertTrue(e.kind() != null && e.getMessage() != null && !e.getMessage().isBlank());
                if (e.getMessage().startsWith("not a SenML pack") || e.getMessage().equals("empty SenML pack")) refusedByType++;
                else refused.merge(e.kind(), 1, Integer::sum);
            }
        }
        int reached = inputs - refusedByType;
        System.out.printf("SenML random inputs: %d, refused by type %d, reached the decoder %d (parsed %d, refused %s)%n",
                inputs, refusedByType, reached, parsed, refused);
        assertEquals(reached, parsed + refused.values().stream().mapToInt(Integer::intValue).sum());
        // seed 12 gives: 4,957 refused by type, 15,043 decoded (258 parsed; 14,492 syntax, 287 truncated,
        // 6 unsupported); which inputs reach the decoder depends only on the generator and the type check
        assertEquals(15_043, reached, "inputs that reached the decoder");
        assertTrue(parsed >= 250, "mutated seeds that still parse: " + parsed);
        assertTrue(refused.getOrDefault(DecodeException.Kind.SYNTAX, 0) >= 14_000, "syntax refusals: " + refused);
        assertTrue(refused.getOrDefault(DecodeException.Kind.TRUNCATED, 0) >= 250, "truncated refusals: " + refused);
    }
}
