package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.uplink.JsonPayloads;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SeqCounterTest {
    @Test
    void scanSeqs_findsEverySeqOfARealBatch() {
        JsonPayloads payloads = new JsonPayloads("gw-1");
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        List<StoredReading> stored = new ArrayList<>();
        for (long seq : new long[]{7, 8, 1_000_004}) {
            Reading r = Reading.of(MeterId.of("mbus", "KAM", "12345678"), Quantity.VOLUME, Unit.M3,
                    new BigDecimal("12.345"), t, t);
            stored.add(new StoredReading(seq, 0, 0, payloads.encode(seq, r)));
        }
        List<Long> seqs = new ArrayList<>();
        SeqCounter.scanSeqs(payloads.batch(stored, t), seqs::add);
        assertEquals(List.of(7L, 8L, 1_000_004L), seqs);
    }

    @Test
    void scanSeqs_reportsASeqWithoutDigits() {
        List<Long> seqs = new ArrayList<>();
        SeqCounter.scanSeqs("{\"seq\":\"x\"},{\"seq\":5}".getBytes(StandardCharsets.UTF_8), seqs::add);
        assertEquals(List.of(-1L, 5L), seqs);
    }
}
