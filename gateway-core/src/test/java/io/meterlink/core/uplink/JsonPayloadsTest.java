package io.meterlink.core.uplink;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.status.StaleMeter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.status.CommandStats;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonPayloadsTest {

    private final ObjectMapper json = new ObjectMapper();
    private final JsonPayloads p = new JsonPayloads("gw-\"1\"");

    static Reading reading(String value, Integer rssi, Instant meterTime) {
        return new Reading(MeterId.of("wmbus:KAM:12345678"), Quantity.VOLUME, Unit.M3, new BigDecimal(value),
                MeasurementFunction.INSTANTANEOUS, 1, 2, 3, meterTime, Instant.parse("2026-11-26T08:00:01.250Z"), 4, rssi);
    }

    @Test
    void reading_carriesEveryField_valueExact_andMeasurementKey() throws Exception {
        Reading r = reading("1200.500", -71, Instant.parse("2026-11-26T08:00:00Z"));
        byte[] body = p.encode(42, r);
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("\"value\":1200.500"), text); // exact decimal, scale kept, no exponent
        JsonNode n = json.readTree(body);
        assertEquals("gw-\"1\"", n.get("gw").asText());
        assertEquals(42, n.get("seq").asLong());
        assertEquals("wmbus:KAM:12345678", n.get("meter").asText());
        assertEquals("volume", n.get("quantity").asText());
        assertEquals("m3", n.get("unit").asText());
        assertEquals(0, new BigDecimal("1200.500").compareTo(n.get("value").decimalValue()));
        assertEquals("instantaneous", n.get("function").asText());
        assertEquals(1, n.get("storage").asInt());
        assertEquals(2, n.get("tariff").asInt());
        assertEquals(3, n.get("subunit").asInt());
        assertEquals("2026-11-26T08:00:00Z", n.get("meter_time").asText());
        assertEquals("2026-11-26T08:00:01.250Z", n.get("received").asText());
        assertEquals(4, n.get("status").asInt());
        assertEquals(-71, n.get("rssi").asInt());
        // the documented literal (docs/payloads.md), not the method under test
        assertEquals("wmbus:KAM:12345678|volume|1|2|3|instantaneous|2026-11-26T08:00:00Z", n.get("key").asText());
    }

    @Test
    void reading_withoutRssiOrMeterTime_omitsRssi_andNullsMeterTime() throws Exception {
        JsonNode n = json.readTree(p.encode(1, reading("1E+3", null, null)));
        assertFalse(n.has("rssi"));
        assertTrue(n.get("meter_time").isNull());
        assertEquals("1000", n.get("value").toString());
    }

    @Test
    void batch_isEnvelopeAroundStoredBodies_unchanged() throws Exception {
        byte[] a = p.encode(7, reading("1.5", null, null));
        byte[] b = p.encode(8, reading("2.5", -90, null));
        byte[] batch = p.batch(List.of(new StoredReading(7, 0, 0, a), new StoredReading(8, 0, 0, b)),
                Instant.parse("2026-11-26T09:00:00Z"));
        JsonNode n = json.readTree(batch);
        assertEquals(1, n.get("v").asInt());
        assertEquals("readings", n.get("type").asText());
        assertEquals("gw-\"1\"", n.get("gw").asText());
        assertEquals("7-8", n.get("batch").asText());
        assertEquals("2026-11-26T09:00:00Z", n.get("sent").asText());
        assertEquals(json.readTree(a), n.get("readings").get(0));
        assertEquals(json.readTree(b), n.get("readings").get(1));
        assertTrue(batch.length <= a.length + b.length + p.batchOverhead(2), "overhead estimate too small");
    }

    @Test
    void status_hasEverySnapshotField_andState() throws Exception {
        StatusSnapshot s = new StatusSnapshot("gw-1", "0.1.0", Instant.parse("2026-11-26T09:00:00Z").toEpochMilli(), 3600,
                new BufferStats(10, 2048, 1 << 20, 1500, 99, 100, 90, Map.of("bytes_cap", 2L), 1, List.of()),
                new UplinkStats(true, 2, 90, Instant.parse("2026-11-26T08:59:59Z").toEpochMilli(), 1, "boom",
                        new CommandStats(7, 1, 2, 3, 0)),
                5, List.of(new StaleMeter.Overdue(MeterId.of("wmbus:KAM:1")), new StaleMeter.Silent("bus", "primary 5")),
                BadInputCounts.of(Map.of(DecodeException.Kind.WRONG_KEY, 3L, DecodeException.Kind.CHECKSUM, 1L)), List.of(new Alarm(Alarm.Kind.SOURCE_FAILED, "m-bus 1")));
        JsonNode n = json.readTree(p.status(s, "online"));
        assertEquals("online", n.get("state").asText());
        assertEquals("status", n.get("type").asText());
        assertEquals("0.1.0", n.get("version").asText());
        assertEquals(3600, n.get("uptime_s").asLong());
        assertEquals(10, n.at("/buffer/depth").asLong());
        assertEquals(1500, n.at("/buffer/oldest_unsent_age_ms").asLong());
        assertEquals(2, n.at("/buffer/evictions/bytes_cap").asLong());
        assertEquals(2, n.at("/uplink/reconnects").asLong());
        assertEquals("2026-11-26T08:59:59Z", n.at("/uplink/last_ack").asText());
        assertEquals("boom", n.at("/uplink/last_error").asText());
        assertEquals(7, n.at("/uplink/commands/received").asLong());
        assertEquals(1, n.at("/uplink/commands/too_large").asLong());
        assertEquals(2, n.at("/uplink/commands/busy").asLong());
        assertEquals(3, n.at("/uplink/commands/failed").asLong());
        assertEquals(5, n.get("meters_heard").asInt());
        assertEquals("[\"wmbus:KAM:1\",\"bus/primary 5\"]", n.get("meters_stale").toString(), "ids and source/address, as strings");
        assertEquals("{\"checksum\":1,\"wrong_key\":3}", n.get("bad_input").toString(), "lower-case kinds, sorted");
        assertEquals("source_failed:m-bus 1", n.get("alarms").get(0).asText());
        assertEquals("offline", json.readTree(p.lastWill()).get("state").asText());
    }

    @Test
    void status_offline_saysNotConnected_evenOverTheLiveSession() throws Exception {
        StatusSnapshot s = new StatusSnapshot("gw-1", "0.1.0", Instant.parse("2026-11-26T09:00:00Z").toEpochMilli(), 3600,
                null, new UplinkStats(true, 0, 5, 0, 0, null), 0, List.of(), BadInputCounts.NONE, List.of());
        assertTrue(json.readTree(p.status(s, "online")).at("/uplink/connected").asBoolean());
        JsonNode off = json.readTree(p.status(s, "offline"));
        assertEquals("offline", off.get("state").asText());
        assertFalse(off.at("/uplink/connected").asBoolean(), "the final status describes the gateway going away");
        assertTrue(off.at("/uplink/last_error").isNull());
    }
}
