package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code meterlink decode} run in-process on real frames. */
class DecodeCommandTest {
    /**
     * Kamstrup Multical 601 RSP_UD from libmbus (BSD-3-Clause, rSCADA / Raditex Control,
     * test/test-frames/kamstrup_multical_601.hex), first records only, checksum recomputed by the test.
     */
    private static final String KAMSTRUP_HEADER = "08 11 72 17 58 85 06 2D 2C 08 04 04 00 00 00"; // C A CI | id 06855817 | KAM | v8 | heat | acc 4 | st 0 | sig
    private static final String KAMSTRUP_RECORDS =
            "0C 78 17 58 85 06"     // fabrication number 06855817
            + " 04 06 E7 91 00 00"  // energy kWh 37351
            + " 04 14 2C DB 00 00"  // volume 10^-2 m3: 561.08
            + " 04 6D 1A 2F 65 11"  // date time F 2011-01-05 15:26
            + " 14 2D 00 01 00 00"  // max power 10^2 W ×256
            + " 84 10 06 01 00 00 00"  // energy tariff 1 kWh 1
            + " 02 FD 48 EE 08"     // voltage 10^-1 V: 0x08EE = 2286 → 228.6
            + " 0F 01 02";          // manufacturer data

    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ObjectMapper mapper = new ObjectMapper();

    static String longFrame(String body) {
        String[] b = body.trim().split("\\s+");
        int cs = 0;
        for (String x : b) cs += Integer.parseInt(x, 16);
        return String.format("68 %02X %02X 68 %s %02X 16", b.length, b.length, body.trim(), cs & 0xFF);
    }

    private List<JsonNode> decode(String... lines) throws Exception {
        return decodeWith(List.of(), lines);
    }

    private List<JsonNode> decodeWith(List<String> options, String... lines) throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, String.join("\n", lines) + "\n");
        List<String> args = new ArrayList<>(List.of("decode", "--input", in.toString()));
        args.addAll(options);
        int code = Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        assertEquals(0, code, err::toString);
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.toString().split("\n")) nodes.add(mapper.readTree(l));
        return nodes;
    }

    @Test
    void decode_wiredLongFrame_givesHeaderAndRecords() throws Exception {
        JsonNode o = decode(longFrame(KAMSTRUP_HEADER + " " + KAMSTRUP_RECORDS)).get(0);
        assertEquals("06855817", o.get("id").asText());
        assertEquals("KAM", o.get("manufacturer").asText());
        assertEquals(8, o.get("version").asInt());
        assertEquals("heat", o.get("medium").asText());
        assertEquals(4, o.get("access_no").asInt());
        assertEquals(0, o.get("status").asInt());
        JsonNode r = o.get("records");
        assertEquals("fabrication_number", r.get(0).get("quantity").asText());
        assertEquals("06855817", r.get(0).get("value").asText());
        JsonNode energy = r.get(1);
        assertEquals("energy", energy.get("quantity").asText());
        assertEquals("Wh", energy.get("unit").asText());
        assertTrue(energy.get("value").isNumber());
        assertEquals("37351000", energy.get("value").asText());
        assertEquals("instantaneous", energy.get("function").asText());
        assertEquals("04", energy.get("dif").asText());
        assertEquals("06", energy.get("vif").asText());
        assertEquals(561.08, r.get(2).get("value").asDouble(), 1e-9);
        assertEquals("m3", r.get(2).get("unit").asText());
        assertEquals("2011-01-05T15:26:00", r.get(3).get("value").asText());
        assertEquals("maximum", r.get(4).get("function").asText());
        assertEquals(25600, r.get(4).get("value").asInt());
        assertEquals(1, r.get(5).get("tariff").asInt());
        assertEquals("8410", r.get(5).get("dif").asText());
        assertEquals("voltage", r.get(6).get("quantity").asText());
        assertEquals("V", r.get(6).get("unit").asText());
        assertEquals(228.6, r.get(6).get("value").asDouble(), 1e-9);
        assertEquals("0102", o.get("manufacturer_data").asText());
    }

    @Test
    void decode_badLines_giveErrorObjects_andDecodingGoesOn() throws Exception {
        String good = longFrame(KAMSTRUP_HEADER + " " + KAMSTRUP_RECORDS);
        String badChecksum = good.substring(0, good.length() - 5) + "00 16";
        List<JsonNode> nodes = decode("zz", badChecksum, good, longFrame("08 01 72 12 34"), "", good);
        assertEquals(6, nodes.size());
        assertEquals(1, nodes.get(0).get("input_line").asInt());
        assertTrue(nodes.get(0).has("error"));
        assertTrue(nodes.get(1).get("error").asText().contains("checksum"), nodes.get(1)::toString);
        assertEquals(2, nodes.get(1).get("input_line").asInt());
        assertEquals("06855817", nodes.get(2).get("id").asText());
        assertTrue(nodes.get(3).get("error").asText().startsWith("truncated"), nodes.get(3)::toString);
        assertEquals(5, nodes.get(4).get("input_line").asInt());
        assertEquals("KAM", nodes.get(5).get("manufacturer").asText());
    }

    @Test
    void decode_ackAndSpacesFree_hexAccepted() throws Exception {
        String compact = longFrame(KAMSTRUP_HEADER + " " + KAMSTRUP_RECORDS).replace(" ", "");
        List<JsonNode> nodes = decode("E5", compact.toLowerCase());
        assertEquals("ack", nodes.get(0).get("frame").asText());
        assertEquals("06855817", nodes.get(1).get("id").asText());
    }

    @Test
    void decode_wirelessFrame_isRecognisedAsWireless() throws Exception {
        // wM-Bus SND_NR from a Kamstrup meter, CRCs removed: L 2E, C 44, M 2D 2C, A 78 56 34 12 1B 16, CI 8D …
        JsonNode o = decode("2E 44 2D 2C 78 56 34 12 1B 16 8D 20 01 02 03").get(0);
        assertEquals(1, o.get("input_line").asInt());
        assertTrue(o.has("error"));
        assertFalse(o.get("error").asText().contains("checksum"), o::toString);
    }

    /**
     * The OMS Vol 2 Annex N gas meter example (mode 5, key 01…0F 11), as carried by tudborg/exmbus
     * (Apache-2.0) test vectors: L 2E, C 44, M 93 15 (ELS), A 78 56 34 12 33 03, CI 7A, ACC 2A,
     * status 00, configuration 20 25 (mode 5, 2 blocks), then the ciphertext.
     */
    private static final String OMS_ANNEX_N_MODE5 =
            "2E4493157856341233037A2A0020255923C95AAA26D1B2E7493B013EC4A6F6D3529B520EDFF0EA6DEFC99D6D69EBF3";

    @Test
    void decode_wirelessMode5_withKey_givesTheMetersValues() throws Exception {
        JsonNode o = decodeWith(List.of("--key", "0102030405060708090A0B0C0D0E0F11"), OMS_ANNEX_N_MODE5).get(0);
        assertEquals("wireless", o.path("frame").asText(), o::toString);
        assertEquals("12345678", o.get("id").asText());
        assertEquals("ELS", o.get("manufacturer").asText());
        assertEquals("gas", o.get("medium").asText());
        assertEquals(42, o.get("access_no").asInt());
        JsonNode volume = o.get("records").get(0);
        assertEquals("volume", volume.get("quantity").asText());
        assertEquals("m3", volume.get("unit").asText());
        assertEquals(new java.math.BigDecimal("28504.27"), volume.get("value").decimalValue());
        assertEquals("2008-05-31T23:50:00", o.get("records").get(1).get("value").asText());
    }

    @Test
    void decode_wirelessMode5_wrongOrMissingKey_isATypedError_neverValues() throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "# id key\n12345678 0102030405060708090A0B0C0D0E0F12\n");
        JsonNode wrong = decodeWith(List.of("--keys", keys.toString()), OMS_ANNEX_N_MODE5).get(0);
        assertTrue(wrong.has("error") && !wrong.has("records"), wrong::toString);
        assertFalse(wrong.toString().contains("0102030405060708090A0B0C0D0E0F12"), "the key is never echoed");
        out.getBuffer().setLength(0);
        JsonNode none = decode(OMS_ANNEX_N_MODE5).get(0);
        assertTrue(none.has("error") && !none.has("records"), none::toString);
    }

    @Test
    void decode_autoDetection_sendsWiredLinesToMbusAndTheRestToWmbus() throws Exception {
        List<JsonNode> o = decode("E5", "10 5B 01 5C 16", WIRELESS_FULL);
        assertEquals("ack", o.get(0).get("frame").asText());
        assertEquals("short", o.get(1).get("frame").asText());
        assertEquals("wireless", o.get(2).get("frame").asText());
    }

    @Test
    void decode_unknownProtocol_isAUsageErrorNamingTheKnownOnes() throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "E5\n");
        int code = Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("decode", "--protocol", "nope", "--input", in.toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("known: ") && err.toString().contains("mbus"), err::toString);
    }

    /** KAM 12345678 v27 cold water, CI 7A: volume 12345.678 m3, flow temperature 45.6 °C, error flags 0 (built for this test). */
    private static final String WIRELESS_FULL = "1D 44 2D2C 78563412 1B 16 7A 01 00 0000 0C13 78563412 0A5A 5604 02FD17 0000";
    /**
     * The same meter's compact frame (OMS Vol 2, CI 7B): format signature A5FE (CRC-16 of 0C13 0A5A 02FD17, LSB first),
     * full-frame CRC 931F (of the three records), then the data only.
     */
    private static final String WIRELESS_COMPACT = "1A 44 2D2C 78563412 1B 16 7B 02 00 0000 A5FE 931F 78563412 5604 0000";

    /**
     * {@link #WIRELESS_FULL}'s transport and application layer (20 bytes) in two AFL fragments (CI 90):
     * FCL 7001 = more fragments, MCL and ML present, fragment 1; MCL 20 (no MAC), ML 0014; then FCL
     * 0002 = the last fragment, 2.
     */
    private static final String FRAGMENT_1 = "1A 44 2D2C 78563412 1B 16 90 05 0170 20 1400 7A01000000 0C13785634";
    private static final String FRAGMENT_2 = "17 44 2D2C 78563412 1B 16 90 02 0200 12 0A5A5604 02FD170000";

    @Test
    void decode_aflFragmentsOnConsecutiveLines_theFirstIsHeld_theSecondGivesTheWholeMessage() throws Exception {
        List<JsonNode> out = decode(FRAGMENT_1, FRAGMENT_2);
        assertEquals("90", out.get(0).get("ci").asText(), out.get(0).toString());
        assertEquals(0, out.get(0).get("records").size());
        assertTrue(out.get(0).toString().contains("afl_fragment"), out.get(0).toString());
        JsonNode whole = out.get(1);
        assertEquals("7A", whole.get("ci").asText(), whole.toString());
        assertEquals(3, whole.get("records").size());
        assertEquals(0, new java.math.BigDecimal("12345.678").compareTo(whole.get("records").get(0).get("value").decimalValue()));
    }

    @Test
    void decode_compactFrame_decodesOnceAFullFrameOfItsFormatWasOnAnEarlierLine() throws Exception {
        List<JsonNode> out = decode(WIRELESS_COMPACT, WIRELESS_FULL, WIRELESS_COMPACT);
        assertTrue(out.get(0).get("error").asText().startsWith("unsupported: compact frame"), out.get(0).toString());
        assertEquals(1, out.get(0).get("input_line").asInt());
        assertEquals(3, out.get(1).get("records").size());
        JsonNode compact = out.get(2);
        assertEquals("7B", compact.get("ci").asText());
        assertEquals(3, compact.get("records").size());
        assertEquals("volume", compact.get("records").get(0).get("quantity").asText());
        assertEquals(0, new java.math.BigDecimal("12345.678").compareTo(compact.get("records").get(0).get("value").decimalValue()));
    }

    @Test
    void decode_twoBytesAfterTheLastRecord_giveTheRecordsAndTheUndecodedRest() throws Exception {
        // the Kamstrup frame's first two records, then 04 06: a 32-bit energy record without its data
        JsonNode o = decode(longFrame(KAMSTRUP_HEADER + " 0C 78 17 58 85 06 04 06 E7 91 00 00 04 06")).get(0);
        assertNull(o.get("error"));
        assertEquals(2, o.get("records").size());
        assertTrue(o.get("undecoded").get("error").asText().startsWith("truncated: "), o.toString());
        assertEquals("0406", o.get("undecoded").get("hex").asText());
    }

    // --- electricity families (byte streams) ---------------------------------------------------

    private List<JsonNode> decodeBytes(byte[] input, String... options) throws Exception {
        Path in = dir.resolve("in.bin");
        Files.write(in, input);
        List<String> args = new ArrayList<>(List.of("decode", "--input", in.toString()));
        args.addAll(List.of(options));
        int code = Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        assertEquals(0, code, err::toString);
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.toString().split("\n")) nodes.add(mapper.readTree(l));
        return nodes;
    }

    /** CRC-16/ARC as DSMR 5.0.2 §6.2 specifies it (reflected polynomial 0xA001, initial value 0). */
    private static String p1Telegram(String body) {
        String upToBang = "/KFM5KAIFA-METER\r\n\r\n" + body + "!";
        int crc = 0;
        for (byte b : upToBang.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? crc >>> 1 ^ 0xA001 : crc >>> 1;
        }
        return upToBang + String.format("%04X\r\n", crc);
    }

    @Test
    void decode_p1Stream_oneObjectPerTelegram_andABadCrcIsAnErrorWithItsOffset() throws Exception {
        String good = p1Telegram("1-3:0.2.8(42)\r\n0-0:96.1.1(4B384547303034303436333935353037)\r\n1-0:1.8.1(001581.123*kWh)\r\n");
        String bad = good.replace("001581.123", "001581.124");
        List<JsonNode> o = decodeBytes((good + bad).getBytes(java.nio.charset.StandardCharsets.US_ASCII), "--protocol", "p1");
        assertEquals(2, o.size(), out::toString);
        assertEquals("p1", o.get(0).get("protocol").asText());
        assertEquals("p1:K8EG004046395507:0", o.get(0).get("meter").asText());
        JsonNode r = o.get(0).get("records").get(2);
        assertEquals("1-0:1.8.1*255", r.get("obis").asText());
        assertEquals("energy", r.get("quantity").asText());
        assertEquals("Wh", r.get("unit").asText());
        assertEquals("1581123", r.get("value").asText());
        assertEquals(1, r.get("tariff").asInt());
        assertTrue(o.get(1).get("error").asText().startsWith("checksum: "), o.get(1)::toString);
        assertEquals(good.length(), o.get(1).get("input_offset").asInt());
    }

    @Test
    void decode_opticalReadout_isDetectedWithoutAFlag_andHexTextWorksWithHex() throws Exception {
        String readout = "/ESY5Q3DA1004 V3.04\r\n\r\n1-0:1.8.0*255(00032549.5061662*kWh)\r\n1-0:21.7.0*255(-000557.29*W)\r\n!\r\n";
        JsonNode o = decodeBytes(readout.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).get(0);
        assertEquals("iec62056-21", o.get("protocol").asText());
        assertEquals(0, new java.math.BigDecimal("32549506.1662").compareTo(o.get("records").get(0).get("value").decimalValue()));
        assertTrue(out.toString().contains("\"value\":32549506.1662,"), out::toString); // exact and plain, never 3.25E7
        assertEquals(0, new java.math.BigDecimal("-557.29").compareTo(o.get("records").get(1).get("value").decimalValue()));
        out.getBuffer().setLength(0);
        String hex = java.util.HexFormat.of().formatHex(readout.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        JsonNode h = decodeBytes((hex.substring(0, 40) + "\n" + hex.substring(40)).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "--protocol", "iec62056-21", "--hex").get(0);
        assertEquals(o, h);
    }

    @Test
    void decode_smlDump_isDetectedWithoutAFlag_andGivesTheServerIdAsMeter() throws Exception {
        String base = System.getProperty("meterlink.testdata");
        Path dump = base == null ? null : Path.of(base, "sml", "DZG_DVS-7412.2_jmberg.bin");
        if (dump == null || !Files.isRegularFile(dump)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) org.junit.jupiter.api.Assertions.fail("shared SML test data missing: " + dump);
            org.junit.jupiter.api.Assumptions.abort("shared SML test data not found: " + dump);
        }
        JsonNode o = decodeBytes(Files.readAllBytes(dump)).get(0);
        assertEquals("sml", o.get("protocol").asText());
        assertEquals("sml:DZG:0A01445A47000282225E", o.get("meter").asText());
        JsonNode energy = o.get("records").get(2);
        assertEquals("1-0:1.8.0*255", energy.get("obis").asText());
        assertEquals(0, new java.math.BigDecimal("5430157.7").compareTo(energy.get("value").decimalValue()));
        assertEquals("Wh", energy.get("unit").asText());
    }

    @Test
    void decode_senmlJsonAndCbor_areDetected_andBadPacksGiveTypedErrors() throws Exception {
        JsonNode json = decodeBytes("[{\"bn\":\"m1/\",\"bt\":1.7e9,\"n\":\"energy\",\"u\":\"kWh\",\"s\":12.5}]"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).get(0);
        assertEquals("senml+json", json.get("format").asText(), json::toString);
        JsonNode energy = json.get("records").get(0);
        assertEquals(0, new java.math.BigDecimal("12500").compareTo(energy.get("value").decimalValue()), "kWh in Wh");
        assertEquals("2023-11-14T22:13:20Z", energy.get("meter_time").asText());
        assertTrue(energy.get("sum").asBoolean());
        out.getBuffer().setLength(0);
        // CBOR (RFC 8428 §6): [{0: "e", 1: "Wh", 5: 7}] — array(1), map(3), labels as integers
        byte[] cbor = {(byte) 0x81, (byte) 0xA3, 0x00, 0x61, 'e', 0x01, 0x62, 'W', 'h', 0x05, 0x07};
        JsonNode c = decodeBytes(cbor).get(0);
        assertEquals("senml+cbor", c.get("format").asText(), c::toString);
        assertEquals(7, c.get("records").get(0).get("value").asInt());
        out.getBuffer().setLength(0);
        JsonNode bad = decodeBytes("[{\"n\":\"a\",\"v\":\"12\"}]".getBytes(java.nio.charset.StandardCharsets.UTF_8), "--protocol", "senml").get(0);
        assertTrue(bad.get("error").asText().startsWith("syntax:"), bad::toString);
    }
}
