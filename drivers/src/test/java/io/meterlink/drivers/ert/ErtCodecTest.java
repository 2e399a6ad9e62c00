package io.meterlink.drivers.ert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Packet layouts and checks: re-encoding the fields rtlamr printed for real packets
 * ({@code rtlamr/mock-output.jsonl}) gives back the checksum rtlamr printed; encode → parse is the
 * identity; a flipped bit is a CHECKSUM refusal; Reed-Solomon corrects two symbols and refuses three.
 */
class ErtCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> rtlamrLines(String type) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(TestData.folder("rtlamr").resolve("mock-output.jsonl"))) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (Exception e) {
                continue; // the README's six lines with leading zeros
            }
            if (n.get("Type").asText().equals(type)) out.add(n.get("Message"));
        }
        return out;
    }

    /** The mock's SCM checksums do not fit its (anonymised) fields; the I/Q corpus's do, as rtlamr printed them. */
    @Test
    void scm_bchOfRtlamrFields_isRtlamrChecksum() throws Exception {
        JsonNode expected = JSON.readTree(TestData.folder("rtlamr").resolve("iq/scm-15.expected.json").toFile());
        for (JsonNode m : expected.get("packets")) {
            Map<String, Long> f = Map.of("id", m.get("id").asLong(), "ert_type", m.get("ert_type").asLong(),
                    "consumption", m.get("consumption").asLong());
            ErtPacket p = ErtCodec.parse(ErtProtocol.SCM, ErtCodec.encode(ErtProtocol.SCM, f, new int[0]));
            assertEquals(m.get("checksum").asLong(), p.checksum(), m.toString());
            assertEquals(m.get("id").asLong(), p.id());
            assertEquals(m.get("consumption").asLong(), p.consumption());
            assertEquals(m.get("ert_type").asInt(), p.ertType());
        }
    }

    /**
     * The mock's ids are anonymised and rtlamr keeps only the low nibble of the type byte, so its
     * PacketCRC cannot be re-derived; this checks that every field rtlamr printed has a place in the layout.
     */
    @Test
    void idm_rtlamrFields_roundTripThroughTheLayout() throws Exception {
        List<JsonNode> lines = rtlamrLines("IDM");
        assertEquals(9, lines.size());
        for (JsonNode m : lines) {
            Map<String, Long> f = new HashMap<>();
            f.put("packet_type", m.get("PacketTypeID").asLong());
            f.put("packet_length", m.get("PacketLength").asLong());
            f.put("hamming_code", m.get("HammingCode").asLong());
            f.put("application_version", m.get("ApplicationVersion").asLong());
            f.put("ert_type", m.get("ERTType").asLong());
            f.put("ert_serial", m.get("ERTSerialNumber").asLong());
            f.put("interval_count", m.get("ConsumptionIntervalCount").asLong());
            f.put("programming_state", m.get("ModuleProgrammingState").asLong());
            f.put("tamper_counters", bytes48(m.get("TamperCounters").asText()));
            f.put("async_counters", m.get("AsynchronousCounters").asLong());
            f.put("power_outage_flags", bytes48(m.get("PowerOutageFlags").asText()));
            f.put("last_consumption", m.get("LastConsumptionCount").asLong());
            f.put("transmit_time_offset", m.get("TransmitTimeOffset").asLong());
            f.put("serial_crc", m.get("SerialNumberCRC").asLong());
            int[] iv = new int[47];
            for (int i = 0; i < 47; i++) iv[i] = m.get("DifferentialConsumptionIntervals").get(i).asInt();
            ErtPacket p = ErtCodec.parse(ErtProtocol.IDM, ErtCodec.encode(ErtProtocol.IDM, f, iv));
            assertEquals(m.get("TransmitTimeOffset").asLong(), p.field("transmit_time_offset"));
            assertEquals(m.get("ConsumptionIntervalCount").asLong(), p.field("interval_count"));
            assertEquals(m.get("ERTType").asInt(), p.ertType());
            assertEquals(m.get("ERTSerialNumber").asLong(), p.id());
            assertEquals(m.get("LastConsumptionCount").asLong(), p.consumption());
            assertArrayEquals(iv, p.intervals());
        }
    }

    private static long bytes48(String base64) {
        long v = 0;
        for (byte b : Base64.getDecoder().decode(base64)) v = (v << 8) | (b & 0xFF);
        return v;
    }

    @Test
    void everyProtocol_encodeThenParse_isIdentity_andAFlippedBitIsRefused() throws Exception {
        Random rnd = new Random(5);
        for (int round = 0; round < 300; round++) {
            for (ErtProtocol p : ErtProtocol.values()) {
                Map<String, Long> f = new HashMap<>();
                for (ErtCodec.Field x : ErtCodec.layout(p)) f.put(x.name(), rnd.nextLong() & ((1L << x.length()) - 1));
                if (p == ErtProtocol.R900BCD) f.put("consumption", (long) rnd.nextInt(1_000_000));
                int[] iv = new int[47];
                for (int i = 0; i < iv.length; i++) iv[i] = rnd.nextInt(p == ErtProtocol.IDM ? 512 : 16384);
                ErtPacket got;
                if (p.isR900()) {
                    int[] s = ErtCodec.encodeR900(p, f);
                    got = ErtCodec.parseR900(p, s);
                    assertEquals(f.get("id"), got.id());
                    assertEquals(f.get("consumption"), got.consumption());
                    for (String k : List.of("unkn1", "nouse", "backflow", "unkn3", "leak", "leaknow")) assertEquals(f.get(k), got.field(k), k);
                } else {
                    byte[] bits = ErtCodec.encode(p, f, iv);
                    got = ErtCodec.parse(p, bits);
                    for (Map.Entry<String, Long> e : got.fields().entrySet()) assertEquals(f.get(e.getKey()), e.getValue(), p + " " + e.getKey());
                    int flip = p.preamble().length() + rnd.nextInt(p.packetBits() - p.preamble().length());
                    bits[flip >>> 3] ^= (byte) (0x80 >>> (flip & 7));
                    DecodeException e = assertThrows(DecodeException.class, () -> ErtCodec.parse(p, bits), p + " bit " + flip);
                    assertEquals(DecodeException.Kind.CHECKSUM, e.kind());
                }
                assertEquals(p, got.protocol());
            }
        }
    }

    @Test
    void r900_correctsTwoSymbols_refusesThree() throws Exception {
        Random rnd = new Random(9);
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[10];
            rnd.nextBytes(data);
            int[] clean = R900Code.encode(data);
            int errors = 1 + round % 3;
            int[] s = clean.clone();
            java.util.Set<Integer> at = new java.util.HashSet<>();
            while (at.size() < errors) at.add(rnd.nextInt(R900Code.SYMBOLS));
            for (int i : at) s[i] ^= 1 + rnd.nextInt(31);
            int fixed = R900Code.correct(s);
            if (errors <= 2) {
                assertEquals(errors, fixed);
                assertArrayEquals(clean, s);
                assertArrayEquals(data, R900Code.data(s));
            } else {
                assertEquals(-1, fixed, "three symbol errors must not be 'corrected' (distance 6)");
            }
        }
    }

    @Test
    void r900bcd_readsHexDigitsAsDecimal_andRefusesNonBcd() throws Exception {
        assertEquals(12345, ErtCodec.bcd(0x012345));
        assertEquals(0x987654, ErtCodec.toBcd(987654));
        Map<String, Long> f = Map.of("id", 1111111111L, "consumption", 0x01A345L);
        int[] s = ErtCodec.encodeR900(ErtProtocol.R900, f);
        assertEquals(0x01A345L, ErtCodec.parseR900(ErtProtocol.R900, s).consumption());
        DecodeException e = assertThrows(DecodeException.class, () -> ErtCodec.parseR900(ErtProtocol.R900BCD, s));
        assertEquals(DecodeException.Kind.VALUE_RANGE, e.kind());
    }

    @Test
    void randomBits_giveAPacketOrADecodeException() {
        Random rnd = new Random(3);
        int packets = 0;
        for (int i = 0; i < 20_000; i++) {
            for (ErtProtocol p : List.of(ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.NETIDM)) {
                byte[] b = new byte[p.packetBits() / 8];
                rnd.nextBytes(b);
                try {
                    ErtCodec.parse(p, b);
                    packets++;
                } catch (DecodeException e) {
                    assertNotNull(e.kind());
                }
            }
        }
        assertTrue(packets < 10, "random bits passed a 16-bit check " + packets + " times in 80,000");
    }
}
