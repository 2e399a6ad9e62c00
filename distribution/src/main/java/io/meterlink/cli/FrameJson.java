package io.meterlink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;

import java.math.BigDecimal;
import java.util.List;

/**
 * The JSON shape of {@code meterlink decode}: one object per frame, rendered from the family-neutral
 * {@link DecodedFrame} (header facts, {@code records}, trailer facts, in the decoder's order), or one
 * error object. Stateless, thread-safe.
 */
final class FrameJson {
    private final ObjectMapper mapper;

    FrameJson(ObjectMapper mapper) { this.mapper = mapper; }

    /** {@code {"error": reason, <position>: n}} with position {@code input_line} or {@code input_offset}. */
    ObjectNode error(String reason, String position, long n) {
        ObjectNode o = mapper.createObjectNode();
        o.put("error", reason);
        o.put(position, n);
        return o;
    }

    ObjectNode frame(DecodedFrame f) {
        ObjectNode o = mapper.createObjectNode();
        put(o, f.header());
        if (f.records() != null) {
            ArrayNode a = o.putArray("records");
            for (DecodedRecord r : f.records()) put(a.addObject(), r.facts());
        }
        put(o, f.trailer());
        return o;
    }

    private static void put(ObjectNode o, List<Fact> facts) {
        for (Fact f : facts) {
            Object v = f.value();
            if (v instanceof String s) o.put(f.name(), s);
            else if (v instanceof BigDecimal d) o.put(f.name(), d);
            else if (v instanceof Integer i) o.put(f.name(), i);
            else if (v instanceof Long l) o.put(f.name(), l);
            else if (v instanceof Boolean b) o.put(f.name(), b);
            else if (v instanceof Fact.Group g) put(o.putObject(f.name()), g.facts());
            else if (v instanceof List<?> list) {
                ArrayNode a = o.putArray(f.name());
                for (Object s : list) a.add((String) s);
            }
        }
    }
}
