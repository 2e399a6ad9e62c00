package io.meterlink.core.uplink;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.payload.WireReading;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadingRecordsTest {

    private final JsonPayloads json = new JsonPayloads("gw-0001");
    private final ReadingRecords records = new ReadingRecords();

    /** Readings over the edges a record must keep: big and negative mantissas, negative scales, nanos, no meter time, RSSI, long ids. */
    static List<Reading> varied(long seed, int n) {
        Random rnd = new Random(seed);
        Quantity[] qs = Quantity.values();
        MeasurementFunction[] fs = MeasurementFunction.values();
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BigDecimal value = switch (i % 5) {
                case 0 -> BigDecimal.valueOf(rnd.nextLong(), rnd.nextInt(12));
                case 1 -> new BigDecimal(new java.math.BigInteger(100 + rnd.nextInt(60), rnd).negate(), rnd.nextInt(20) - 5);
                case 2 -> BigDecimal.valueOf(rnd.nextInt(1000), -3);
                case 3 -> new BigDecimal("0.000");
                default -> BigDecimal.valueOf(Long.MIN_VALUE, 2);
            };
            Instant received = Instant.ofEpochSecond(1_795_000_000L + rnd.nextInt(1_000_000), rnd.nextInt(1_000_000_000));
            Instant meterTime = i % 3 == 0 ? null : Instant.ofEpochSecond(-5_000_000_000L + rnd.nextLong(10_000_000_000L),
                    i % 2 == 0 ? 0 : rnd.nextInt(1_000_000) * 1000);
            String id = i % 7 == 0 ? "meter_" + "x".repeat(25) + "." + i : String.format("%08d", rnd.nextInt(100_000_000));
            Quantity q = qs[rnd.nextInt(qs.length)];
            List<Unit> us = q.units().stream().sorted(java.util.Comparator.comparing(Unit::symbol)).toList();
            out.add(new Reading(MeterId.of("wmbus", "KAM", id), q, us.get(rnd.nextInt(us.size())), value,
                    fs[rnd.nextInt(fs.length)], rnd.nextInt(1 << 20), rnd.nextInt(300), rnd.nextInt(5), meterTime, received,
                    i % 4 == 0 ? Integer.MIN_VALUE : rnd.nextInt(), i % 2 == 0 ? null : -rnd.nextInt(200)));
        }
        return out;
    }

    @Test
    void record_givesBackEveryField_andTheSameJsonV1ObjectByteForByte() {
        List<Reading> rs = varied(16, 2_000);
        for (int i = 0; i < rs.size(); i++) {
            long seq = 1_000_000_000_000L + i;
            byte[] rec = records.encode(seq, rs.get(i));
            assertTrue(ReadingRecords.isRecord(rec));
            WireReading w = ReadingRecords.decode(seq, rec);
            assertEquals(JsonPayloads.wire(seq, rs.get(i)), w);
            byte[] expected = json.encode(seq, rs.get(i));
            assertFalse(ReadingRecords.isRecord(expected), "a JSON object is never taken for a record");
            assertArrayEquals(expected, json.jsonBody(new StoredReading(seq, 0, 0, rec)));
        }
    }

    @Test
    void record_isAFractionOfTheJsonObject() {
        Reading r = JsonPayloadsTest.reading("123456.789", -71, Instant.parse("2026-11-26T08:00:00Z"));
        int rec = records.encode(7, r).length;
        int obj = json.encode(7, r).length;
        assertTrue(rec * 3 < obj, rec + " vs " + obj);
    }

    @Test
    void cutOrPaddedRecord_isRefused_neverMisread() {
        Reading r = JsonPayloadsTest.reading("1200.500", -71, Instant.parse("2026-11-26T08:00:00Z"));
        byte[] rec = records.encode(9, r);
        for (int len = 0; len < rec.length; len++) {
            byte[] cut = Arrays.copyOf(rec, len);
            if (len == 0) {
                assertFalse(ReadingRecords.isRecord(cut));
                continue;
            }
            assertThrows(IllegalArgumentException.class, () -> ReadingRecords.decode(9, cut), "cut at " + len);
        }
        byte[] padded = Arrays.copyOf(rec, rec.length + 1);
        assertThrows(IllegalArgumentException.class, () -> ReadingRecords.decode(9, padded));
        PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                () -> ReadingRecords.read(new StoredReading(9, 0, 0, padded)));
        assertEquals(9, u.seq());
    }

    @Test
    void aRecordJsonCannotWritePlainly_isUnreadable_soTheDrainDeadLettersIt() {
        Reading r = JsonPayloadsTest.reading("1.5", null, null);
        Reading huge = new Reading(r.meter(), r.quantity(), r.unit(), new BigDecimal(java.math.BigInteger.ONE, -20_000),
                r.function(), r.storage(), r.tariff(), r.subunit(), r.meterTime(), r.receivedAt(), r.status(), r.rssiDbm());
        byte[] rec = records.encode(11, huge);
        PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                () -> json.prepare(List.of(new StoredReading(11, 0, 0, rec)), Integer.MAX_VALUE));
        assertEquals(11, u.seq());
    }

    @Test
    void gatewayStoresRecordsInTheRecordsForm_jsonObjectsInTheJsonForm() {
        var parts = new io.meterlink.core.runtime.StandardParts();
        assertTrue(parts.encoder("gw-0001", io.meterlink.core.config.StoredForm.RECORDS) instanceof ReadingRecords);
        Reading r = JsonPayloadsTest.reading("1.5", null, null);
        assertArrayEquals(json.encode(3, r), parts.encoder("gw-0001", io.meterlink.core.config.StoredForm.JSON).encode(3, r));
    }

    /** {@code rec} with its {@code drop} bytes from {@code at} replaced by {@code put}. */
    private static byte[] spliced(byte[] rec, int at, int drop, byte... put) {
        byte[] out = new byte[rec.length - drop + put.length];
        System.arraycopy(rec, 0, out, 0, at);
        System.arraycopy(put, 0, out, at, put.length);
        System.arraycopy(rec, at + drop, out, at + put.length, rec.length - at - drop);
        return out;
    }

    /** A reading with neither meter time nor RSSI, so its record ends with received seconds, nanos and status. */
    private static WireReading plain(String meter, long receivedSecond, int nano) {
        return new WireReading(21, meter, "volume", "m3", new BigDecimal("1.5"), "instantaneous", 0, 0, 0, null,
                Instant.ofEpochSecond(receivedSecond, nano), 0, null);
    }

    /** Asserts that the drain path refuses {@code body} as an unreadable record (dead-lettered as unreadable_record). */
    private void assertUnreadable(byte[] body, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReadingRecords.decode(21, body), why);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                () -> json.prepare(List.of(new StoredReading(21, 0, 0, body)), Integer.MAX_VALUE));
        assertEquals(21, u.seq());
        assertThrows(PayloadFormat.UnreadableReading.class,
                () -> new CompactPayloads(json).encode(List.of(new StoredReading(21, 0, 0, body)), Instant.EPOCH));
    }

    @Test
    void nanosecondsOfOneSecondOrMore_areRefused_notMovedIntoTheNextSecond() {
        byte[] rec = ReadingRecords.encode(plain("wmbus:KAM:1", 1_795_000_000L, 999_999_999));
        assertEquals(Instant.ofEpochSecond(1_795_000_000L, 999_999_999), ReadingRecords.decode(21, rec).received());
        // received nanos are the 5 bytes before the status byte: 1,000,000,000 instead
        int at = rec.length - 1 - 5;
        byte[] tooMany = spliced(rec, at, 5, (byte) 0x80, (byte) 0x94, (byte) 0xEB, (byte) 0xDC, (byte) 0x03);
        assertUnreadable(tooMany, "nanoseconds out of range: 1000000000");
    }

    @Test
    void malformedUtf8_isRefused_neverReadAsReplacementCharacters() {
        byte[] rec = ReadingRecords.encode(plain("wmbus:KAM:\u00e9\u00e9", 1_795_000_000L, 0));
        assertEquals("wmbus:KAM:\u00e9\u00e9", ReadingRecords.decode(21, rec).meter(), "valid UTF-8 beyond ASCII is read");
        int at = 2 + 1 + "wmbus:KAM:".length(); // format, flags, length of the meter string
        for (byte[] bad : new byte[][]{
                {(byte) 0xC3, (byte) 0x28, (byte) 0xC3, (byte) 0xA9}, // a lead byte without its continuation
                {(byte) 0xFF, (byte) 0xC3, (byte) 0xA9, (byte) 0x41}, // a byte UTF-8 never holds
                {(byte) 0xC0, (byte) 0xA9, (byte) 0xC3, (byte) 0xA9}, // an overlong form
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0x41}}) { // a surrogate
            byte[] body = rec.clone();
            System.arraycopy(bad, 0, body, at, 4);
            assertUnreadable(body, "malformed UTF-8");
        }
    }

    @Test
    void aTenthVarintByteBeyondOne_isRefused_notTruncatedTo64Bits() {
        byte[] rec = ReadingRecords.encode(new WireReading(21, "m", "volume", "m3", BigDecimal.valueOf(Long.MIN_VALUE, 0),
                "instantaneous", 0, 0, 0, null, Instant.ofEpochSecond(0), 0, null));
        assertEquals(BigDecimal.valueOf(Long.MIN_VALUE), ReadingRecords.decode(21, rec).value());
        // format, flags, 4 strings ("m", "volume", "m3", "instantaneous"), storage, tariff, subunit: then the zigzag mantissa
        int at = 2 + 2 + 7 + 3 + 14 + 3;
        assertEquals(1, rec[at + 9], "Long.MIN_VALUE's zigzag varint ends with a 10th byte of 1");
        byte[] overflow = rec.clone();
        overflow[at + 9] = 0x03; // bit 64 set: would have been dropped silently
        assertUnreadable(overflow, "varint beyond 64 bits");
        byte[] redundant = spliced(rec, 2 + 2 + 7 + 3 + 14, 1, (byte) 0x80, (byte) 0x00); // storage 0 written in two bytes
        assertUnreadable(redundant, "redundant zero byte");
    }

    @Test
    void unknownFlagBits_areRefused() {
        byte[] rec = ReadingRecords.encode(plain("m", 0, 0));
        rec[1] |= 0x40;
        assertUnreadable(rec, "unknown flags");
    }

    @Test
    void aValueNoV1NumberCarries_isUnreadableInBothFormats_theLongestOneCarriedIsSentAndReadBack() throws Exception {
        CompactPayloads compact = new CompactPayloads(json);
        BigDecimal longest = new BigDecimal("-" + "9".repeat(397) + ".5"); // 400 characters, sign and point included
        byte[] ok = ReadingRecords.encode(valued(longest));
        List<StoredReading> one = List.of(new StoredReading(21, 0, 0, ok));
        byte[] asJson = json.batch(json.prepare(one, Integer.MAX_VALUE), Instant.EPOCH);
        assertEquals(longest, io.meterlink.payload.JsonV1.parseBatch(asJson).readings().get(0).value());
        byte[] asCompact = compact.encode(one, Instant.EPOCH).bytes();
        assertArrayEquals(asJson, io.meterlink.payload.Payloads.toJson(asCompact), "the head-end reads it back");

        for (BigDecimal beyond : new BigDecimal[]{
                new BigDecimal("-" + "9".repeat(398) + ".5"), // 401 characters
                new BigDecimal(java.math.BigInteger.ONE, 399), // 0.000…1: 401 characters
                new BigDecimal(java.math.BigInteger.ONE, -999_999_999)}) { // 1E+999999999: a short record, a billion digits plain
            byte[] rec = ReadingRecords.encode(valued(beyond));
            assertEquals(beyond, ReadingRecords.decode(21, rec).value(), "the record itself is well-formed");
            List<StoredReading> stored = List.of(new StoredReading(21, 0, 0, rec));
            PayloadFormat.UnreadableReading u = assertThrows(PayloadFormat.UnreadableReading.class,
                    () -> json.prepare(stored, Integer.MAX_VALUE));
            assertTrue(u.getMessage().contains("longer than the 400 characters"), u.getMessage());
            assertThrows(PayloadFormat.UnreadableReading.class, () -> compact.encode(stored, Instant.EPOCH));
        }
    }

    private static WireReading valued(BigDecimal value) {
        return new WireReading(21, "wmbus:KAM:1", "volume", "m3", value, "instantaneous", 0, 0, 0, null,
                Instant.ofEpochSecond(1_795_000_000L), 0, null);
    }
}
