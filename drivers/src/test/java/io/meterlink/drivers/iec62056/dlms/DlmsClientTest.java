package io.meterlink.drivers.iec62056.dlms;

import io.meterlink.drivers.obis.Obis;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The COSEM client's APDUs (IEC 62056-5-3, Green Book examples) and its block transfer against scripted answers. */
class DlmsClientTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final CosemObject IMPORT = CosemObject.parse("1-0:1.8.0");

    private static byte[] hex(String s) { return HEX.parseHex(s.replace(" ", "")); }

    /** Answers each request with the next scripted APDU; records the requests. */
    private static final class Script implements DlmsClient.Exchange {
        final ArrayDeque<byte[]> answers = new ArrayDeque<>();
        final List<String> requests = new ArrayList<>();
        byte[] forever;

        Script(String... a) { for (String s : a) answers.add(hex(s)); }

        @Override
        public byte[] exchange(byte[] apdu) {
            requests.add(HEX.formatHex(apdu));
            byte[] a = answers.poll();
            return a != null ? a : forever;
        }
    }

    @Test
    void aarq_lowestLevelSecurity_isTheGreenBookApdu() {
        // AARQ: application context LN without ciphering, InitiateRequest DLMS 6, conformance 007E1F, max PDU 0x04B0
        assertEquals("601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0", HEX.formatHex(Apdu.aarq(null, 0x04B0)));
    }

    @Test
    void aarq_lowLevelSecurity_carriesMechanismAndPassword() {
        String a = HEX.formatHex(Apdu.aarq("12345678".getBytes(), 0x04B0));
        assertTrue(a.startsWith("6036A109060760857405080101" + "8A020780" + "8B0760857405080201" + "AC0A80083132333435363738"), a);
    }

    @Test
    void association_acceptedAare_givesServerPdu_refusedOnes_typed() throws Exception {
        String accepted = "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F0400001E1D04C80007";
        DlmsClient c = new DlmsClient(new Script(accepted), 8, 1024);
        c.associate(null, 1200);
        assertEquals(0x04C8, c.serverMaxPdu());
        String refusedPassword = accepted.replace("A203020100A305A103020100", "A203020101A305A10302010D");
        DlmsException e = assertThrows(DlmsException.class, () -> new DlmsClient(new Script(refusedPassword), 8, 1024).associate("x".getBytes(), 1200));
        assertEquals(DlmsException.Reason.AUTHENTICATION, e.reason());
        assertEquals(13, e.code());
        String refusedContext = accepted.replace("A203020100A305A103020100", "A203020101A305A103020102");
        assertEquals(DlmsException.Reason.ASSOCIATION_REFUSED,
                assertThrows(DlmsException.class, () -> new DlmsClient(new Script(refusedContext), 8, 1024).associate(null, 1200)).reason());
    }

    @Test
    void getNormal_requestBytes_andValue() throws Exception {
        Script s = new Script("C4 01 C1 00 06 00BC614E");
        assertEquals(new BigDecimal(12345678), ((DlmsValue.Num) new DlmsClient(s, 8, 1024).get(IMPORT, 2)).value());
        // GET-Request-Normal, invoke C1, class 3, 1-0:1.8.0*255, attribute 2, no selective access
        assertEquals(List.of("C001C100030100010800FF0200"), s.requests);
    }

    @Test
    void getRefused_throwsDataAccessWithItsResult() {
        DlmsException e = assertThrows(DlmsException.class, () -> new DlmsClient(new Script("C4 01 C1 01 04"), 8, 1024).get(IMPORT, 2));
        assertEquals(DlmsException.Reason.DATA_ACCESS, e.reason());
        assertEquals(4, e.code());
        assertTrue(e.getMessage().contains("object-undefined"), e.getMessage());
    }

    @Test
    void blockTransfer_joinsBlocks_andAsksForEachNext() throws Exception {
        // value 06 00BC614E split 3 + 2 bytes over blocks 1 and 2
        Script s = new Script("C4 02 C1 00 00000001 00 03 0600BC", "C4 02 C1 01 00000002 00 02 614E");
        assertEquals(new BigDecimal(12345678), ((DlmsValue.Num) new DlmsClient(s, 8, 1024).get(IMPORT, 2)).value());
        assertEquals("C002C100000001", s.requests.get(1)); // GET-Request-Next acknowledging block 1
    }

    @Test
    void blockTransfer_endless_outOfOrder_orTooLong_throwsBlockTransfer() {
        Script endless = new Script();
        endless.forever = hex("C4 02 C1 00 00000001 00 01 06");
        endless.answers.add(hex("C4 02 C1 00 00000001 00 01 06"));
        assertEquals(DlmsException.Reason.BLOCK_TRANSFER, assertThrows(DlmsException.class, () -> new DlmsClient(endless, 8, 1024).get(IMPORT, 2)).reason());
        Script endlessNumbered = new Script();
        for (int i = 1; i <= 20; i++) endlessNumbered.answers.add(hex(String.format("C4 02 C1 00 %08X 00 01 06", i)));
        DlmsException e = assertThrows(DlmsException.class, () -> new DlmsClient(endlessNumbered, 8, 1024).get(IMPORT, 2));
        assertEquals(DlmsException.Reason.BLOCK_TRANSFER, e.reason());
        assertTrue(e.getMessage().contains("no last block after 8"), e.getMessage());
        assertEquals(8, endlessNumbered.requests.size(), "one GET and 7 GET-Next for 8 blocks, then no more");
        Script big = new Script("C4 02 C1 00 00000001 00 04 09 81 FF 00", "C4 02 C1 00 00000002 00 04 00000000");
        assertEquals(DlmsException.Reason.BLOCK_TRANSFER, assertThrows(DlmsException.class, () -> new DlmsClient(big, 8, 6).get(IMPORT, 2)).reason());
    }

    @Test
    void exceptionResponse_andGarbage_areTyped() {
        assertEquals(DlmsException.Reason.SERVICE_ERROR, assertThrows(DlmsException.class, () -> new DlmsClient(new Script("D8 01 02"), 8, 1024).get(IMPORT, 2)).reason());
        assertEquals(DlmsException.Reason.SYNTAX, assertThrows(DlmsException.class, () -> new DlmsClient(new Script("C4 01 C1 00 06 00"), 8, 1024).get(IMPORT, 2)).reason());
        assertEquals(DlmsException.Reason.SYNTAX, assertThrows(DlmsException.class, () -> new DlmsClient(new Script("C4 01 C7 00 0F 01"), 8, 1024).get(IMPORT, 2)).reason());
    }

    @Test
    void register_valueTimesScaler_inDlmsUnit_exact() throws Exception {
        DlmsValue value = Axdr.read(hex("06 00BC614E"));
        DlmsValue scalerUnit = Axdr.read(hex("02 02 0F FD 16 1E")); // 10^-3, Wh
        var r = DlmsRecords.register(new Obis(1, 0, 1, 8, 0, 255), value, scalerUnit, "2022-12-07T09:30:00Z");
        assertEquals("energy", r.quantity());
        assertEquals(0, new BigDecimal("12345.678").compareTo(r.value()));
        assertEquals("Wh", r.unit());
        var kwh = DlmsRecords.register(new Obis(1, 0, 1, 8, 0, 255), Axdr.read(hex("06 00000005")), Axdr.read(hex("02 02 0F 03 16 1E")), null);
        assertEquals(0, new BigDecimal(5000).compareTo(kwh.value()));
        assertThrows(DlmsException.class, () -> DlmsRecords.register(new Obis(1, 0, 1, 8, 0, 255), value, Axdr.read(hex("0F 00")), null));
    }

    @Test
    void objects_parseWithInferredOrExplicitClass() {
        assertEquals(new CosemObject(3, new Obis(1, 0, 1, 8, 0, 255)), CosemObject.parse("1-0:1.8.0"));
        assertEquals(8, CosemObject.parse("0-0:1.0.0").classId());
        assertEquals(1, CosemObject.parse("0-0:96.1.0").classId());
        assertEquals(4, CosemObject.parse("1-0:1.6.0").classId());
        assertEquals(new CosemObject(4, new Obis(1, 0, 1, 8, 0, 101)), CosemObject.parse("4/1-0:1.8.0*101"));
        assertNull(CosemObject.parse("1.8.0"), "a short code names no logical name");
        assertNull(CosemObject.parse("7/1-0:1.8.0"), "class 7 is not read");
        for (String d : CosemObject.DEFAULTS) assertNotNull(CosemObject.parse(d), d);
    }

    @Test
    void anyBytes_toTheApduParsersAndRecords_giveAResultOrATypedException() {
        java.util.Random r = new java.util.Random(11);
        Obis code = new Obis(1, 0, 1, 8, 0, 255);
        int results = 0, refused = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] b = new byte[1 + r.nextInt(40)];
            r.nextBytes(b);
            if (i % 3 == 0) b[0] = (byte) Apdu.AARE;
            if (i % 3 == 1) b[0] = (byte) Apdu.GET_RESPONSE;
            try {
                switch (i % 3) {
                    case 0 -> Apdu.aare(b);
                    case 1 -> Apdu.getResponse(b);
                    default -> DlmsRecords.register(code, Axdr.read(b), Axdr.read(java.util.Arrays.copyOfRange(b, b.length / 2, b.length)), null);
                }
                results++;
            } catch (DlmsException expected) {
                refused++;
            }
        }
        assertTrue(results > 0, "some inputs decode");
        assertTrue(refused > 0);
    }

    @Test
    void scalerThatIsNoInteger_isRefusedAsSyntax() {
        assertEquals(DlmsException.Reason.SYNTAX, assertThrows(DlmsException.class, () -> DlmsRecords.register(new Obis(1, 0, 1, 8, 0, 255),
                Axdr.read(hex("06 00000005")), Axdr.read(hex("02 02 17 3FC00000 16 1E")), null)).reason()); // float32 1.5 as scaler
    }
}
