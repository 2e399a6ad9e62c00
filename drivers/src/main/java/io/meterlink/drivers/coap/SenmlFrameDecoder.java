package io.meterlink.drivers.coap;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code meterlink decode --protocol senml}: one SenML pack (JSON or CBOR, told apart by its first
 * byte) per input, as CoAP meters send them. Each record shows its quantity, unit and value in our
 * units where the SenML unit is one we read (see {@link SenmlUnits}), plus the raw SenML name, unit
 * and value and whether it is an accumulator ({@code sum}). Thread-safe; sessions are not.
 */
final class SenmlFrameDecoder implements FrameDecoder {
    static final String PROTOCOL = "senml";

    @Override public String protocol() { return PROTOCOL; }

    @Override public Input input() { return Input.BYTE_STREAM; }

    @Override
    public int detect(byte[] sample) {
        int i = 0;
        while (i < sample.length && Character.isWhitespace(sample[i])) i++;
        if (i >= sample.length) return 0;
        if (sample[i] == '[') {
            String head = new String(sample, i, Math.min(sample.length - i, 512), StandardCharsets.UTF_8);
            return head.contains("\"bn\"") || head.contains("\"n\"") ? 5 : 0;
        }
        // CBOR: an array (major type 4) whose first item is a map (major type 5)
        return i == 0 && sample.length > 1 && Senml.isCbor(sample) && (sample[1] & 0xE0) == 0xA0 ? 3 : 0;
    }

    @Override
    public Session open(Options options) {
        return new Session() {
            private final ByteArrayOutputStream pack = new ByteArrayOutputStream();
            private boolean tooLong;

            @Override public void feed(byte[] bytes, int offset, int length, Sink sink) {
                if (tooLong) return;
                if (pack.size() + length > Senml.MAX_BYTES) {
                    tooLong = true;
                    sink.error(new DecodeException(DecodeException.Kind.LENGTH, "SenML pack longer than " + Senml.MAX_BYTES + " bytes"), 0);
                    return;
                }
                pack.write(bytes, offset, length);
            }

            @Override public void end(Sink sink) {
                if (tooLong) return;
                try {
                    sink.frame(frame(Senml.parse(pack.toByteArray()), Senml.isCbor(pack.toByteArray())), 0);
                } catch (DecodeException e) {
                    sink.error(e, 0);
                }
            }
        };
    }

    /** A decoded pack as {@code meterlink decode} shows it. */
    static DecodedFrame frame(List<SenmlRecord> records, boolean cbor) {
        List<DecodedRecord> out = new ArrayList<>();
        for (SenmlRecord r : records) {
            SenmlUnits u = SenmlUnits.of(r.unit());
            DecodedRecord.Builder b = new DecodedRecord.Builder();
            if (u != null && r.value() != null) {
                b.put(DecodedRecord.QUANTITY, u.quantity().wireName())
                        .put(DecodedRecord.UNIT, u.unit().symbol())
                        .put(DecodedRecord.VALUE, scaled(r.value(), u));
            } else {
                b.put(DecodedRecord.VALUE, r.value() != null ? r.value() : r.text());
            }
            if (r.absoluteTime()) b.put(DecodedRecord.METER_TIME, instant(r.time()).toString());
            b.put("name", r.name()).put("senml_unit", r.unit()).put("senml_value", r.value());
            if (r.sum()) b.put("sum", Boolean.TRUE);
            if (!r.absoluteTime() && r.time().signum() != 0) b.put("relative_time_s", r.time());
            out.add(b.build());
        }
        return new DecodedFrame(PROTOCOL, List.of(new Fact("format", cbor ? "senml+cbor" : "senml+json")), out, List.of());
    }

    static BigDecimal scaled(BigDecimal value, SenmlUnits u) {
        BigDecimal v = value.multiply(u.factor());
        v = v.stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    static Instant instant(BigDecimal seconds) {
        BigDecimal[] parts = seconds.divideAndRemainder(BigDecimal.ONE);
        return Instant.ofEpochSecond(parts[0].longValueExact(), parts[1].movePointRight(9).longValue());
    }
}
