package io.meterlink.drivers.ert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared I/Q recording {@code rtlamr/iq/scm-15.cu8} (15 SCM packets, 2,359,296 S/s) decodes to
 * exactly the packets an independent decoder (rtlamr) reported for it, in order.
 */
class ErtIqConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void scm15_decodesExactlyWhatRtlamrReported() throws Exception {
        Path dir = TestData.folder("rtlamr").resolve("iq");
        JsonNode expected = JSON.readTree(dir.resolve("scm-15.expected.json").toFile());
        byte[] iq = Files.readAllBytes(dir.resolve("scm-15.cu8"));
        List<ErtPacket> got = new ArrayList<>();
        List<DecodeException> refused = new ArrayList<>();
        ErtDemodulator d = new ErtDemodulator(ErtDemodulator.chipLength(expected.get("sample_rate").asLong()),
                EnumSet.allOf(ErtProtocol.class), listener(got, refused));
        for (int i = 0; i < iq.length; i += 65536) d.feedU8(iq, i, Math.min(65536, iq.length - i)); // in rtl_tcp-sized pieces
        d.flush();
        JsonNode packets = expected.get("packets");
        assertEquals(packets.size(), got.size(), () -> "packets: " + got + " refused: " + refused);
        for (int i = 0; i < packets.size(); i++) {
            JsonNode e = packets.get(i);
            ErtPacket p = got.get(i);
            assertEquals(ErtProtocol.SCM, p.protocol());
            assertEquals(e.get("id").asLong(), p.id(), "id of packet " + i);
            assertEquals(e.get("ert_type").asInt(), p.ertType(), "type of packet " + i);
            assertEquals(e.get("consumption").asLong(), p.consumption(), "consumption of packet " + i);
            assertEquals(e.get("checksum").asLong(), p.checksum(), "checksum of packet " + i);
        }
        assertEquals(List.of(), refused);
    }

    static ErtDemodulator.Listener listener(List<ErtPacket> got, List<DecodeException> refused) {
        return new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket packet, long sample) { got.add(packet); }

            @Override public void refused(ErtProtocol protocol, DecodeException error, long sample) { refused.add(error); }
        };
    }
}
