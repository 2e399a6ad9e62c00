package io.meterlink.payload;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactV1Test {

    private static final Instant SENT = Instant.parse("2026-11-26T08:00:05.250Z");

    static WireReading volume(long seq, String meter, String value, String meterTime, String received) {
        return new WireReading(seq, meter, "volume", "m3", new BigDecimal(value), "instantaneous", 0, 0, 0,
                meterTime == null ? null : Instant.parse(meterTime), Instant.parse(received), 0, -71);
    }

    /** The worked example of docs/payloads.md, byte for byte. */
    @Test
    void encode_documentedExample_givesTheDocumentedBytes() throws Exception {
        ReadingsBatch b = new ReadingsBatch("gw-0001", SENT, List.of(
                volume(1041, "wmbus:KAM:12345678", "1234.567", "2026-11-26T08:00:00Z", "2026-11-26T08:00:03.412Z"),
                new WireReading(1042, "mbus:LUG:00042017", "energy", "Wh", new BigDecimal("5230000"), "instantaneous", 1, 0, 0,
                        Instant.parse("2026-10-31T23:59:00Z"), Instant.parse("2026-11-26T08:00:05.020Z"), 0, null)));
        byte[] m = CompactV1.encode(b, CompactV1.Compression.NONE);
        String hex = HexFormat.of().formatHex(m);
        assertEquals("10" // format byte: compact v1, not compressed
                + "a6" // map(6)
                + "626777" + "67" + "67772d30303031" // "gw": "gw-0001"
                + "6473656e74" + "82" + "1a6b07e705" + "1a0ee6b280" // "sent": [1795680005, 250000000]
                + "666d6574657273" + "82" + "72" + hex(b.readings().get(0).meter()) + "71" + hex("mbus:LUG:00042017")
                + "6472656773" + "82" // "regs": [
                + "86" + "66" + hex("volume") + "62" + hex("m3") + "6d" + hex("instantaneous") + "000000"
                + "86" + "66" + hex("energy") + "62" + hex("Wh") + "6d" + hex("instantaneous") + "010000"
                + "62" + hex("tu") + "82" + "00" + "03" // meter times whole seconds, receive times in ms
                + "61" + hex("r") + "82"
                // row 1 (10 items): seq 1041, meter 0, register 0, 1234567 scale 3, meter time 1795680000,
                // received 1795680003 + 412 ms, status 0, rssi -71
                + "8a" + "190411" + "00" + "00" + "1a0012d687" + "03" + "1a6b07e700" + "1a6b07e703" + "19019c" + "00" + "3846"
                // row 2 (9 items, no rssi): seq +1, meter 1, register 1, 5230000 scale 0, meter time -2188860 s,
                // received +2 s + 20 ms, status 0
                + "89" + "01" + "01" + "01" + "1a004fcdb0" + "00" + "3a0021663b" + "02" + "14" + "00",
                hex);
        assertEquals(b, CompactV1.decode(m));
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void deflate_shrinksARealisticBatch_andReadsBack() throws Exception {
        List<WireReading> rs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rs.add(volume(100_000 + i, "wmbus:KAM:" + (10_000_000 + i % 50), (1000 + i) + ".125",
                    "2026-11-26T08:00:00Z", "2026-11-26T08:00:03.412Z"));
        }
        ReadingsBatch b = new ReadingsBatch("gw-0001", SENT, rs);
        byte[] plain = CompactV1.encode(b, CompactV1.Compression.NONE);
        byte[] deflated = CompactV1.encode(b, CompactV1.Compression.DEFLATE);
        assertEquals(CompactV1.HEADER_DEFLATE, deflated[0]);
        assertTrue(deflated.length < plain.length, deflated.length + " < " + plain.length);
        assertEquals(b, CompactV1.decode(deflated));
        assertArrayEquals(JsonV1.batch(b), Payloads.toJson(deflated));
    }

    @Test
    void decode_badInput_throwsTypedErrors() {
        ReadingsBatch b = new ReadingsBatch("gw-0001", SENT, List.of(
                volume(1, "wmbus:KAM:12345678", "1.5", null, "2026-11-26T08:00:03Z")));
        byte[] good = CompactV1.encode(b, CompactV1.Compression.NONE);
        assertEquals(PayloadException.Kind.UNKNOWN_FORMAT, kind(new byte[0]));
        assertEquals(PayloadException.Kind.UNKNOWN_FORMAT, kind(new byte[]{0x12, 0x00}));
        assertEquals(PayloadException.Kind.COMPRESSION, kind(new byte[]{0x11, (byte) 0xff, 0x00}));
        assertEquals(PayloadException.Kind.SYNTAX, kind(Arrays.copyOf(good, good.length - 3)));
        byte[] badIndex = good.clone();
        // the one row: [1, 0, 0, 15, 1, null, received, status, rssi]: point its meter index (0) at a dictionary entry that is not there
        int row = indexOf(good, new byte[]{(byte) 0x89, 0x01, 0x00, 0x00});
        badIndex[row + 2] = 0x05;
        assertEquals(PayloadException.Kind.CONTENT, kind(badIndex));
        byte[] json = "{\"v\":2,\"type\":\"readings\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(PayloadException.Kind.CONTENT, assertThrows(PayloadException.class, () -> Payloads.decode(json)).kind());
    }

    @Test
    void jsonReading_withAKeyThatDoesNotMatchItsFields_isRefused() {
        String body = new String(JsonV1.reading("gw-0001", volume(5, "wmbus:KAM:12345678", "1.5", null, "2026-11-26T08:00:03Z")),
                StandardCharsets.UTF_8).replace("|volume|", "|energy|");
        PayloadException e = assertThrows(PayloadException.class, () -> JsonV1.parseReading(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(PayloadException.Kind.CONTENT, e.kind());
        assertTrue(e.getMessage().contains("\"key\" does not match"), e.getMessage());
    }

    private static PayloadException.Kind kind(byte[] message) {
        return assertThrows(PayloadException.class, () -> CompactV1.decode(message)).kind();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
