package io.meterlink.benchmarks;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.ReadingEncoder;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Realistic readings and a JSON encoder giving bodies of about 200 bytes, as the uplink sends them. */
final class BenchReadings {

    private BenchReadings() {
    }

    /** One object per reading, ~200 bytes: gateway, seq, measurement key fields, value, times. */
    static final ReadingEncoder ENCODER = (seq, r) -> {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"gw\":\"gw-00042\",\"seq\":").append(seq)
                .append(",\"meter\":\"").append(r.meter())
                .append("\",\"q\":\"").append(r.quantity().wireName())
                .append("\",\"unit\":\"").append(r.unit().symbol())
                .append("\",\"v\":\"").append(r.value().toPlainString())
                .append("\",\"fn\":\"").append(r.function().wireName())
                .append("\",\"st\":").append(r.storage())
                .append(",\"tf\":").append(r.tariff())
                .append(",\"su\":").append(r.subunit())
                .append(",\"rt\":\"").append(r.receivedAt())
                .append("\",\"status\":").append(r.status())
                .append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    };

    static List<Reading> batch(int n) {
        List<Reading> out = new ArrayList<>(n);
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        for (int i = 0; i < n; i++) {
            MeterId m = MeterId.of("wmbus", "KAM", String.format("%08d", 10_000_000 + i));
            Reading r = i % 4 == 3
                    ? Reading.of(m, Quantity.POWER, Unit.W, new BigDecimal("1523.5"), null, t.plusMillis(i))
                    : Reading.of(m, Quantity.VOLUME, Unit.M3, new BigDecimal("123456.789").add(BigDecimal.valueOf(i)), null, t.plusMillis(i));
            out.add(r);
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
