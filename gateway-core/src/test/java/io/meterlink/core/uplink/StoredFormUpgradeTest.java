package io.meterlink.core.uplink;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.payload.CompactV1;
import io.meterlink.payload.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway upgraded in the field: its buffer file holds JSON v1 objects written by the previous
 * version; after the upgrade, under {@code payload: compact}, new readings are stored as records in the
 * same file (schema unchanged). The whole backlog goes out, in either format, as the same bytes as if
 * every reading had been stored as JSON.
 */
class StoredFormUpgradeTest {

    private static final Instant SENT = Instant.parse("2026-12-07T02:00:00.5Z");

    @TempDir
    Path dir;

    @Test
    void backlogStoredAsJson_thenRecords_drainsExactlyInBothFormats() throws Exception {
        BufferConfig cfg = BufferConfig.defaults(dir.resolve("buffer.db"));
        JsonPayloads json = new JsonPayloads("gw-up");
        List<Reading> readings = ReadingRecordsTest.varied(42, 400);
        try (SqliteBuffer before = SqliteBuffer.open(cfg, json, Clock.systemUTC())) { // the previous version's stored form
            before.append(readings.subList(0, 250)).join();
        }
        try (SqliteBuffer after = SqliteBuffer.open(cfg, new ReadingRecords(), Clock.systemUTC())) {
            after.append(readings.subList(250, 400)).join();
            List<StoredReading> stored = after.read(0, 1_000, Integer.MAX_VALUE);
            assertEquals(400, stored.size());
            assertFalse(ReadingRecords.isRecord(stored.get(249).body()));
            assertTrue(ReadingRecords.isRecord(stored.get(250).body()));
            assertTrue(stored.get(250).body().length * 3 < stored.get(249).body().length);

            List<StoredReading> reference = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                long seq = stored.get(i).seq();
                assertEquals(i + 1, seq);
                reference.add(new StoredReading(seq, 0, 0, json.encode(seq, readings.get(i))));
            }
            byte[] expected = json.batch(reference, SENT);
            assertArrayEquals(expected, json.batch(json.prepare(stored, Integer.MAX_VALUE), SENT));
            CompactPayloads compact = new CompactPayloads(json);
            byte[] message = compact.encode(stored, SENT).bytes();
            assertTrue(CompactV1.isCompact(message));
            assertArrayEquals(expected, Payloads.toJson(message));
            assertEquals(0, compact.jsonFallbacks());
        }
    }
}
