package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.StreamDecoding;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** IEC 62056-21 readouts built here (mode C readout with STX/ETX/BCC), and random bytes through every stream decoder. */
class Iec62056FrameDecoderTest {
    /** A mode C readout: identification, STX, data sets (two on one line, one without unit, one with a time), "!", ETX, BCC. */
    static byte[] modeC(boolean goodBcc) {
        String data = "0.0.0(12345678)\r\n1.8.1(012345.678*kWh)2.8.1(000001.5*kWh)\r\n1.6.1(0001.25*kW)(2401151230)\r\n"
                + "32.7(230*V)\r\nC.1.0(  42)\r\n!\r\n";
        byte[] d = (data + "\u0003").getBytes(StandardCharsets.US_ASCII);
        int bcc = 0;
        for (byte b : d) bcc ^= b;
        String all = "/EMH5\\@ED300L\r\n\u0002" + data + "\u0003" + (char) (goodBcc ? bcc : bcc ^ 1);
        return all.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static DecodedRecord record(DecodedFrame f, String obis) {
        return f.records().stream().filter(r -> obis.equals(r.fact("obis"))).findFirst().orElseThrow(() -> new AssertionError(obis + " in " + f));
    }

    @Test
    void modeCReadout_givesEveryDataSet_inOurUnits() {
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new Iec62056FrameDecoder(), FrameDecoder.Options.none(), modeC(true), 2);
        assertEquals(1, out.size(), out::toString);
        DecodedFrame f = out.get(0).frame();
        assertEquals("iec62056:EMH:12345678", f.headerFact("meter"));
        assertEquals("5", f.headerFact("baud_char"));
        DecodedRecord e = record(f, "255-255:1.8.1*255");
        assertEquals(0, new BigDecimal("12345678").compareTo(e.value()));
        assertEquals("Wh", e.unit());
        assertEquals(1, e.tariff());
        assertEquals("1.8.1", e.fact("address"));
        assertEquals(0, new BigDecimal("1500").compareTo(record(f, "255-255:2.8.1*255").value()));
        DecodedRecord peak = record(f, "255-255:1.6.1*255");
        assertEquals("maximum", peak.function());
        assertEquals("2024-01-15T12:30:00", peak.meterTime());
        assertEquals("voltage", record(f, "255-255:32.7.255*255").quantity());
        assertEquals("42", record(f, "255-255:96.1.0*255").text());
    }

    @Test
    void wrongBcc_isAChecksumError_andNoReadings() {
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new Iec62056FrameDecoder(), modeC(false));
        assertEquals(1, out.size());
        assertNull(out.get(0).frame());
        assertEquals(DecodeException.Kind.CHECKSUM, out.get(0).error().kind());
    }

    @Test
    void detection_tellsTheFamiliesApart() {
        assertTrue(new Iec62056FrameDecoder().detect(modeC(true)) > 0);
        assertEquals(0, new P1FrameDecoder().detect(modeC(true)));
        assertEquals(0, new SmlFrameDecoder().detect(modeC(true)));
    }

    /** Any bytes give frames or typed errors, never an exception, and the decoders see all of them. */
    @Test
    void randomBytes_giveFramesOrTypedErrors_only() {
        Random random = new Random(11);
        byte[] alphabet = "/!()*.:-\r\n\u0002\u00030123456789ABCDEFkWh\u001b\u0001\u001a".getBytes(StandardCharsets.ISO_8859_1);
        int outcomes = 0;
        for (FrameDecoder d : List.of(new Iec62056FrameDecoder(), new P1FrameDecoder(), new SmlFrameDecoder())) {
            for (int i = 0; i < 2000; i++) {
                byte[] b = new byte[random.nextInt(300)];
                for (int k = 0; k < b.length; k++) b[k] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
                List<StreamDecoding.Outcome> out = StreamDecoding.run(d, FrameDecoder.Options.none(), b, 1 + random.nextInt(17));
                for (StreamDecoding.Outcome o : out) assertTrue(o.frame() != null || o.error().kind() != null);
                outcomes += out.size();
            }
        }
        assertTrue(outcomes > 1000, "only " + outcomes + " outcomes: the inputs did not reach the decoders");
    }

    /** One meter id for a readout and a mode E session: the serial when there is one, else the identification, each part sanitized. */
    @Test
    void meterId_prefersTheSerial_fallsBackToTheIdentification_sanitizesBothParts() {
        assertEquals("iec62056:ABC:12345678", Iec62056FrameDecoder.meterId("abc", "12345678", "ZMD3104407"));
        assertEquals("iec62056:ABC:ZMD3104407", Iec62056FrameDecoder.meterId("ABC", " ", "ZMD3104407"));
        assertEquals("iec62056:unknown:1_2", Iec62056FrameDecoder.meterId(null, "1 2", null));
        assertEquals("iec62056:ABC:_", Iec62056FrameDecoder.meterId("ABC", null, ""), "mode E: an identification without text");
        assertNull(Iec62056FrameDecoder.meterId("ABC", null, null));
    }
}
