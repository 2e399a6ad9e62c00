package io.meterlink.drivers.p1;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.testing.StreamDecoding;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** DSMR P1 telegrams (built here after the DSMR 5.0.2 §6.12 example and the e-MUCS H 1.7.1 data sets), plain and encrypted. */
class P1FrameDecoderTest {
    /** The DSMR 5.0.2 example's data sets (shortened); CRC added by {@link #withCrc}. */
    static final String DSMR5 = String.join("\r\n",
            "/ISk5\\2MT382-1000", "",
            "1-3:0.2.8(50)",                                    // version 5.0
            "0-0:1.0.0(101209113020W)",                         // 2010-12-09 11:30:20 CET
            "0-0:96.1.1(4B384547303034303436333935353037)",     // equipment id, hex-coded "K8EG004046395507"
            "1-0:1.8.1(123456.789*kWh)",                        // import tariff 1
            "1-0:2.8.2(000002.002*kWh)",                        // export tariff 2
            "0-0:96.14.0(0002)",                                // tariff indicator (text)
            "1-0:1.7.0(01.193*kW)",
            "0-0:96.7.21(00004)",                               // power failures
            "1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(0000000240*s)(101208151004W)(0000000301*s)",
            "1-0:32.7.0(220.1*V)",
            "1-0:31.7.0(001*A)",
            "1-0:22.7.0(04.444*kW)",                            // export L1
            "1-0:99.1.0(42*xyz)",                               // unknown code: kept
            "0-1:24.1.0(003)",
            "0-1:96.1.0(3232323241424344313233343536373839)",
            "0-1:24.2.1(101209112500W)(12785.123*m3)",
            "!") ;

    static byte[] withCrc(String upToBang) {
        byte[] b = upToBang.getBytes(StandardCharsets.ISO_8859_1);
        return (upToBang + String.format("%04X", Crc16.ARC.of(b, 0, b.length)) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static DecodedRecord record(DecodedFrame f, String obis) {
        return f.records().stream().filter(r -> obis.equals(r.fact("obis"))).findFirst().orElseThrow(() -> new AssertionError(obis + " in " + f));
    }

    @Test
    void dsmr5_givesCanonicalQuantitiesTariffsPhasesAndChannelMeters() {
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), withCrc(DSMR5));
        assertEquals(1, out.size(), out::toString);
        DecodedFrame f = out.get(0).frame();
        assertEquals("p1:K8EG004046395507:0", f.headerFact("meter"));
        assertEquals("50", f.headerFact("version"));
        DecodedRecord import1 = record(f, "1-0:1.8.1*255");
        assertEquals("energy", import1.quantity());
        assertEquals("Wh", import1.unit());
        assertEquals(0, new BigDecimal("123456789").compareTo(import1.value()));
        assertEquals(1, import1.tariff());
        assertEquals("import", import1.fact("direction"));
        assertEquals("2010-12-09T10:30:20Z", import1.meterTime());
        assertEquals("export", record(f, "1-0:2.8.2*255").fact("direction"));
        assertEquals(0, new BigDecimal("1193").compareTo(record(f, "1-0:1.7.0*255").value()));
        DecodedRecord l1 = record(f, "1-0:22.7.0*255");
        assertEquals("L1", l1.fact("phase"));
        assertEquals("export", l1.fact("direction"));
        assertEquals("voltage", record(f, "1-0:32.7.0*255").quantity());
        assertEquals("current", record(f, "1-0:31.7.0*255").quantity());
        assertEquals("0002", record(f, "0-0:96.14.0*255").text());
        assertEquals("count", record(f, "0-0:96.7.21*255").quantity());
        DecodedRecord unknown = record(f, "1-0:99.1.0*255");
        assertNull(unknown.quantity());
        assertEquals("xyz", unknown.unit());
        List<DecodedRecord> failures = f.records().stream().filter(r -> "1-0:99.97.0*255".equals(r.fact("obis"))).toList();
        assertEquals(2, failures.size());
        assertEquals("2010-12-08T14:24:15Z", failures.get(0).meterTime());
        assertEquals(0, new BigDecimal("301").compareTo(failures.get(1).value()));
        DecodedRecord gas = record(f, "0-1:24.2.1*255");
        assertEquals("volume", gas.quantity());
        assertEquals("m3", gas.unit());
        assertEquals(0, new BigDecimal("12785.123").compareTo(gas.value()));
        assertEquals("2010-12-09T10:25:00Z", gas.meterTime());
        assertEquals("p1:222ABCD123456789:1", gas.fact("meter"));
        assertEquals(1, gas.fact("channel"));
    }

    @Test
    void splitIntoSingleBytesOrJoinedWithNoise_givesTheSameTelegrams() {
        byte[] one = withCrc(DSMR5);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes("0)\r\n!1234\r\n".getBytes(StandardCharsets.US_ASCII)); // the end of a telegram the reader missed
        two.writeBytes(one);
        two.writeBytes(one);
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), FrameDecoder.Options.none(), two.toByteArray(), 1);
        assertEquals(2, StreamDecoding.frames(out).size(), out::toString);
        assertEquals(DecodeException.Kind.TRUNCATED, out.get(0).error().kind());
        assertEquals(StreamDecoding.frames(StreamDecoding.run(new P1FrameDecoder(), one)).get(0).records().size(),
                StreamDecoding.frames(out).get(1).records().size());
    }

    @Test
    void wrongCrc_isAChecksumError_andNoReadings() {
        String t = new String(withCrc(DSMR5), StandardCharsets.ISO_8859_1).replace("123456.789", "123456.788");
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), t.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(1, out.size());
        assertEquals(DecodeException.Kind.CHECKSUM, out.get(0).error().kind());
    }

    @Test
    void crcWithoutLeadingZeros_isAccepted() {
        for (int i = 0; i < 1000; i++) { // find a telegram whose CRC is below 0x1000
            String body = DSMR5.replace("01.193", String.format("%06.3f", i / 1000.0));
            byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
            int crc = Crc16.ARC.of(b, 0, b.length);
            if (crc >= 0x1000) continue;
            byte[] unpadded = (body + Integer.toHexString(crc).toUpperCase() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), unpadded);
            assertNotNull(out.get(0).frame(), out::toString);
            return;
        }
        fail("no telegram with a CRC below 0x1000 among 1000");
    }

    @Test
    void eMucs_peakDemandAndItsHistory_andAGasChannelWithItsOwnTime() {
        String t = String.join("\r\n", "/FLU5\\253769484_A", "",
                "0-0:96.1.4(50217)",
                "0-0:96.1.1(3153414733313031303231363035)",
                "0-0:1.0.0(200512135409S)",
                "1-0:1.4.0(02.351*kW)",                                  // current average demand
                "1-0:1.7.0(00.428*kW)",                                  // instantaneous power
                "1-0:1.6.0(200509134558S)(02.589*kW)",                   // peak this month, with its time
                "0-0:98.1.0(2)(1-0:1.6.0)(1-0:1.6.0)(200501000000S)(200423192538S)(03.695*kW)(200401000000S)(200305122139W)(05.980*kW)",
                "0-1:24.1.0(003)",
                "0-1:96.1.1(37464C4F32313233303838303237)",
                "0-1:24.2.3(200512134558S)(00112.384*m3)",
                "!");
        DecodedFrame f = StreamDecoding.frames(StreamDecoding.run(new P1FrameDecoder(), withCrc(t))).get(0);
        assertEquals("50217", f.headerFact("version"));
        DecodedRecord peak = record(f, "1-0:1.6.0*255");
        assertEquals("power", peak.quantity());
        assertEquals("maximum", peak.function());
        assertEquals("2020-05-09T11:45:58Z", peak.meterTime());
        assertEquals(0, new BigDecimal("2589").compareTo(peak.value()));
        DecodedRecord average = record(f, "1-0:1.4.0*255");
        assertEquals("power", average.quantity());
        assertEquals("average", average.function());
        assertNull(record(f, "1-0:1.7.0*255").function()); // instantaneous, the default
        List<Reading> readings = new ObisReadings(ZoneOffset.UTC).toReadings(f, Instant.EPOCH);
        List<String> powerKeys = readings.stream().filter(r -> r.quantity() == Quantity.POWER).map(Reading::measurementKey).toList();
        assertEquals(3, powerKeys.size(), powerKeys::toString); // average, peak and instantaneous
        assertEquals(3, Set.copyOf(powerKeys).size(), "average demand 1.4.0 must not share the key of 1.7.0: " + powerKeys);
        List<DecodedRecord> history = f.records().stream().filter(r -> "0-0:98.1.0*255".equals(r.fact("obis"))).toList();
        assertEquals(2, history.size());
        assertEquals(0, new BigDecimal("5980").compareTo(history.get(1).value()));
        DecodedRecord gas = record(f, "0-1:24.2.3*255");
        assertEquals("volume", gas.quantity());
        assertEquals("2020-05-12T11:45:58Z", gas.meterTime());
        assertEquals("p1:7FLO2123088027:1", gas.fact("meter"));
    }

    // --- encrypted P1 -------------------------------------------------------------------------

    private static final String EK = "000102030405060708090A0B0C0D0E0F";
    private static final String AK = "00112233445566778899AABBCCDDEEFF";
    private static final byte[] TITLE = HexFormat.of().parseHex("5341473230303030"); // "SAG20000"

    /** A general-global-cipher APDU (DB, system title, length, SC 30, counter, GCM ciphertext ‖ 12-byte tag), encrypted by the JDK. */
    static byte[] encrypt(byte[] telegram, long counter, String ek, String ak) {
        return P1Encryption.seal(telegram, TITLE, counter, HexFormat.of().parseHex(ek), HexFormat.of().parseHex(ak));
    }

    private static FrameDecoder.Options keys(String ek) {
        return new FrameDecoder.Options(Secret.of(ek), Secret.of(AK), null);
    }

    @Test
    void encrypted_withTheKeys_givesTheTelegram_andDetectionSeesIt() throws Exception {
        byte[] frame = encrypt(withCrc(DSMR5), 7, EK, AK);
        assertTrue(new P1FrameDecoder().detect(frame) > 0);
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), keys(EK), frame, 3);
        assertEquals(1, out.size(), out::toString);
        assertEquals("p1:K8EG004046395507:0", out.get(0).frame().headerFact("meter"));
    }

    @Test
    void encrypted_wrongKey_isATypedError_neverValues() throws Exception {
        byte[] frame = encrypt(withCrc(DSMR5), 7, EK, AK);
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), keys("0F0E0D0C0B0A09080706050403020100"), frame, frame.length);
        assertEquals(1, out.size());
        assertEquals(DecodeException.Kind.WRONG_KEY, out.get(0).error().kind());
        assertFalse(out.get(0).error().getMessage().contains(EK));
    }

    @Test
    void encrypted_repeatedFrameCounter_isAReplay() throws Exception {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(encrypt(withCrc(DSMR5), 7, EK, AK));
        s.writeBytes(encrypt(withCrc(DSMR5), 8, EK, AK));
        s.writeBytes(encrypt(withCrc(DSMR5), 8, EK, AK));
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), keys(EK), s.toByteArray(), 64);
        assertEquals(3, out.size(), out::toString);
        assertNotNull(out.get(1).frame());
        assertEquals(DecodeException.Kind.REPLAY, out.get(2).error().kind());
    }

    @Test
    void badKeyOption_isRefusedWithoutShowingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new P1FrameDecoder().open(new FrameDecoder.Options(Secret.of("beef"), null, null)));
        assertFalse(e.getMessage().contains("beef"));
    }
}
