package io.meterlink.core.buffer;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.config.BufferConfig;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Readings, a trivial encoder and configs for the buffer tests. */
final class TestReadings {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final MeterId METER = MeterId.of("wmbus", "KAM", "12345678");
    /** Every body is exactly this long, so accounted sizes are easy to predict. */
    static final int BODY = 100;

    private TestReadings() {
    }

    /** {"seq":N,"q":"volume",...} padded with spaces to {@link #BODY} bytes. */
    static final ReadingEncoder ENCODER = (seq, r) -> {
        String json = "{\"seq\":" + seq + ",\"m\":\"" + r.meter() + "\",\"q\":\"" + r.quantity().wireName() + "\",\"v\":\"" + r.value() + "\"}";
        byte[] out = new byte[BODY];
        Arrays.fill(out, (byte) ' ');
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    };

    static Reading billing(int v) {
        return Reading.of(METER, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(v), null, T0);
    }

    static Reading normal(int v) {
        return Reading.of(METER, Quantity.POWER, Unit.W, BigDecimal.valueOf(v), null, T0);
    }

    static Reading diagnostic(int v) {
        return Reading.of(METER, Quantity.SIGNAL_STRENGTH, Unit.DBM, BigDecimal.valueOf(v), null, T0);
    }

    static List<Reading> billing(int from, int count) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(billing(from + i));
        }
        return out;
    }

    static BufferConfig config(Path db) {
        return new BufferConfig(db, 256 * BufferConfig.MIB, 0, Duration.ofMillis(20), 1000, true, 20_000);
    }

    static BufferConfig config(Path db, long maxBytes, Duration interval, int commitMax, int queueCapacity) {
        return new BufferConfig(db, maxBytes, 0, interval, commitMax, true, queueCapacity);
    }

    static long seqOf(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        int i = s.indexOf("\"seq\":") + 6;
        return Long.parseLong(s.substring(i, s.indexOf(',', i)));
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        final AtomicLong millis = new AtomicLong(T0.toEpochMilli());

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }
}
