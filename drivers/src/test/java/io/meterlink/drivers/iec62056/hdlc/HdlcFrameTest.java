package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.drivers.transport.Transport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * HDLC frame format type 3 (IEC 62056-46) against frames worked by hand from the DLMS UA Green Book's
 * and Gurux's published examples: client SAP 0x10 (address byte 0x21), server upper address 1 (0x03).
 */
class HdlcFrameTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final HdlcAddress CLIENT = HdlcAddress.of(0x10), SERVER = HdlcAddress.of(1);

    private static byte[] hex(String s) { return HEX.parseHex(s.replace(" ", "")); }

    /** The bytes between the flags. */
    private static byte[] inner(byte[] frame) { return java.util.Arrays.copyOfRange(frame, 1, frame.length - 1); }

    @Test
    void snrm_withoutInformation_isTheGreenBookFrame() {
        byte[] f = new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.SNRM, null).encode();
        // flag, format A0 07 (type 3, length 7), dest 03, source 21, control 93 (SNRM, P), FCS 010F low byte first, flag
        assertEquals("7EA0070321930F017E", HEX.formatHex(f));
    }

    @Test
    void disc_isTheGreenBookFrame() {
        // control 53 (DISC, P), FCS C703
        assertEquals("7EA007032153" + "03C7" + "7E", HEX.formatHex(new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.DISC, null).encode()));
    }

    @Test
    void aarqInIFrame_headerCheckSequenceAndFrameCheckSequence() throws Exception {
        byte[] info = hex("E6E600 601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0");
        byte[] f = new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.iControl(0, 0), info).encode();
        // A0 2B: 43 bytes; control 10 = I, N(R) 0, P, N(S) 0; HCS FB AF over A0 2B 03 21 10; FCS EA CA
        assertEquals("7EA02B032110FBAF" + HEX.formatHex(info) + "CAEA7E", HEX.formatHex(f));
        HdlcFrame back = HdlcFrame.decode(inner(f));
        assertTrue(back.isI());
        assertEquals(0, back.sendSeq());
        assertEquals(0, back.receiveSeq());
        assertArrayEquals(info, back.info());
        assertEquals(SERVER, back.destination());
        assertEquals(CLIENT, back.source());
    }

    @Test
    void ua_withNegotiation_parametersRead() throws Exception {
        // UA 21 <- 03, control 73; HCS 7AC3; 81 80 12: max info tx 0x80, rx 0x80, window tx 1, rx 1; FCS 3B53
        byte[] f = hex("7E A01E 21 03 73 C37A 818012 050180 060180 070400000001 080400000001 533B 7E");
        HdlcFrame ua = HdlcFrame.decode(inner(f));
        assertEquals(HdlcFrame.UA, ua.unnumbered());
        assertEquals(new HdlcParameters(128, 128, 1, 1), HdlcParameters.decode(ua.info()));
        assertArrayEquals(f, new HdlcFrame(false, CLIENT, SERVER, HdlcFrame.UA, HdlcParameters.DEFAULT.encode()).encode());
    }

    @Test
    void fourByteServerAddress_roundTrips() throws Exception {
        HdlcAddress server = HdlcAddress.server(1, 0x3FF0); // physical address above 7 bits: 4 bytes
        byte[] f = new HdlcFrame(true, server, CLIENT, HdlcFrame.iControl(3, 5), new byte[] {1, 2, 3}).encode();
        // upper 1 → 00 02, lower 0x3FF0 → (0x7F << 1) FE, (0x70 << 1 | 1) E1
        assertEquals("00 02 FE E1".replace(" ", ""), HEX.formatHex(f, 3, 7));
        assertEquals(0xA8, f[1] & 0xF8, "segmentation bit set");
        HdlcFrame back = HdlcFrame.decode(inner(f));
        assertEquals(server, back.destination());
        assertTrue(back.segmented());
        assertEquals(3, back.sendSeq());
        assertEquals(5, back.receiveSeq());
    }

    @Test
    void wrongFcs_throwsFcs() {
        byte[] f = inner(new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.SNRM, null).encode());
        f[f.length - 1] ^= 1;
        assertEquals(HdlcException.Reason.FCS, assertThrows(HdlcException.class, () -> HdlcFrame.decode(f)).reason());
    }

    /** Sets the FCS of a frame without flags to match its bytes. */
    private static void withFcs(byte[] f) {
        int fcs = io.meterlink.drivers.crc.Crc16.X25.of(f, 0, f.length - 2);
        f[f.length - 2] = (byte) fcs;
        f[f.length - 1] = (byte) (fcs >> 8);
    }

    @Test
    void wrongHcs_withRightFcs_throwsHcs() {
        byte[] f = inner(new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.iControl(0, 0), new byte[] {1, 2}).encode());
        f[5] ^= 1; // HCS low byte
        withFcs(f);
        assertEquals(HdlcException.Reason.HCS, assertThrows(HdlcException.class, () -> HdlcFrame.decode(f)).reason());
    }

    @Test
    void threeByteAddress_throwsFormat() {
        byte[] f = hex("A009 02 02 03 21 93 0000"); // destination 02 02 03: three bytes
        withFcs(f);
        assertEquals(HdlcException.Reason.FORMAT, assertThrows(HdlcException.class, () -> HdlcFrame.decode(f)).reason());
    }

    @Test
    void lengthFieldDisagreeingWithTheBytes_throwsLength() {
        byte[] f = inner(new HdlcFrame(false, SERVER, CLIENT, HdlcFrame.SNRM, null).encode());
        f[1] = 9;
        assertEquals(HdlcException.Reason.LENGTH, assertThrows(HdlcException.class, () -> HdlcFrame.decode(f)).reason());
    }

    @Test
    void anyBytes_giveAFrameOrHdlcException() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[2 + r.nextInt(40)];
            r.nextBytes(b);
            b[0] = (byte) (0xA0 | b[0] & 0x0F & 0x08);
            b[1] = (byte) b.length;
            try {
                assertNotNull(HdlcFrame.decode(b));
            } catch (HdlcException expected) {
                assertNotNull(expected.reason());
            }
        }
    }

    /** A line answering each write with the next scripted bytes. */
    static final class Script implements Transport {
        final ArrayDeque<byte[]> answers = new ArrayDeque<>();
        final List<HdlcFrame> written = new ArrayList<>();
        private final ArrayDeque<Byte> pending = new ArrayDeque<>();

        Script answer(byte[]... a) {
            answers.addAll(List.of(a));
            return this;
        }

        @Override public void open() { }
        @Override public boolean isOpen() { return true; }

        @Override
        public void write(byte[] bytes) throws IOException {
            try {
                written.add(HdlcFrame.decode(inner(bytes)));
            } catch (HdlcException e) {
                throw new IOException(e);
            }
            byte[] a = answers.poll();
            if (a != null) for (byte b : a) pending.add(b);
        }

        @Override
        public int read(byte[] buf, int timeoutMillis) {
            int n = 0;
            while (n < buf.length && !pending.isEmpty()) buf[n++] = pending.poll();
            return n;
        }

        @Override public void drainInput() { pending.clear(); }
        @Override public String describe() { return "script"; }
        @Override public void close() { }
    }

    private static byte[] from(HdlcAddress src, int control, boolean segmented, byte[] info) {
        return new HdlcFrame(segmented, CLIENT, src, control, info).encode();
    }

    private static HdlcClient client(Script s) {
        return new HdlcClient(s, SERVER, CLIENT, 50, 128, 4096, () -> { }, HdlcReader.SLOWEST_BAUD);
    }

    @Test
    void client_negotiatesLowerLength_segmentsTheRequest_joinsASegmentedResponse() throws Exception {
        byte[] request = new byte[50];
        new Random(1).nextBytes(request);
        Script s = new Script().answer(
                from(SERVER, HdlcFrame.UA, false, new HdlcParameters(20, 24, 1, 1).encode()), // meter sends ≤ 20, takes ≤ 24
                from(SERVER, HdlcFrame.rrControl(1), false, null), // after segment 1 of 3
                from(SERVER, HdlcFrame.rrControl(2), false, null),
                from(SERVER, HdlcFrame.iControl(0, 3), true, new byte[] {1, 2, 3}),
                from(SERVER, HdlcFrame.iControl(1, 3), false, new byte[] {4, 5}));
        HdlcClient c = client(s);
        c.connect();
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, c.exchange(request));
        // SNRM, three I segments of 24, 24, 2 bytes (S bit on the first two), then RR(nr=1) polling for the second response segment
        assertEquals(5, s.written.size());
        assertEquals(List.of(24, 24, 2), s.written.subList(1, 4).stream().map(HdlcFrame::infoLength).toList());
        assertEquals(List.of(true, true, false), s.written.subList(1, 4).stream().map(HdlcFrame::segmented).toList());
        assertEquals(List.of(0, 1, 2), s.written.subList(1, 4).stream().map(HdlcFrame::sendSeq).toList());
        assertTrue(s.written.get(4).isRr());
        assertEquals(1, s.written.get(4).receiveSeq());
    }

    /** A line that never ends: every read fills the buffer with {@code fill}. */
    private static Transport endless(byte fill) {
        return new Transport() {
            @Override public void open() { }
            @Override public boolean isOpen() { return true; }
            @Override public void write(byte[] bytes) { }
            @Override public int read(byte[] buf, int timeoutMillis) { java.util.Arrays.fill(buf, fill); return buf.length; }
            @Override public void drainInput() { }
            @Override public String describe() { return "endless"; }
            @Override public void close() { }
        };
    }

    @Test
    void reader_endlessNoiseOrFlags_isATypedRefusal_notAnEndlessLoop() {
        for (byte fill : new byte[] {HdlcFrame.FLAG, 0x55}) {
            HdlcReader r = new HdlcReader(endless(fill));
            HdlcException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> assertThrows(HdlcException.class, () -> r.read(50, 200)));
            assertEquals(HdlcException.Reason.FORMAT, e.reason());
        }
    }

    @Test
    void client_emptySegmentedIFrames_areRefused_notPolledForever() throws Exception {
        Script s = new Script().answer(from(SERVER, HdlcFrame.UA, false, new HdlcParameters(128, 128, 1, 1).encode()));
        for (int i = 0; i < 40; i++) s.answer(from(SERVER, HdlcFrame.iControl(i & 7, 1), true, null));
        HdlcClient c = client(s);
        c.connect();
        HdlcException e = assertThrows(HdlcException.class, () -> c.exchange(new byte[] {9}));
        assertEquals(HdlcException.Reason.FORMAT, e.reason());
        assertEquals(2, s.written.size(), "SNRM and the request, no RR polling an empty segment");
    }

    @Test
    void client_hostileAnswers_throwTypedReasons() throws Exception {
        byte[] ua = from(SERVER, HdlcFrame.UA, false, null);
        byte[] badFcs = from(SERVER, HdlcFrame.iControl(0, 1), false, new byte[] {1});
        badFcs[badFcs.length - 2] ^= 0x40;
        byte[] truncated = java.util.Arrays.copyOf(from(SERVER, HdlcFrame.iControl(0, 1), false, new byte[] {1, 2, 3}), 8);
        byte[] oversize = from(SERVER, HdlcFrame.iControl(0, 1), false, new byte[] {1});
        oversize[1] = (byte) 0xA7;
        oversize[2] = (byte) 0xFF;
        byte[] otherServer = from(HdlcAddress.of(9), HdlcFrame.iControl(0, 1), false, new byte[] {1});
        byte[] wrongSeq = from(SERVER, HdlcFrame.iControl(3, 1), false, new byte[] {1});
        byte[] frmr = from(SERVER, HdlcFrame.FRMR, false, null);
        byte[] dm = from(SERVER, HdlcFrame.DM, false, null);
        record Case(byte[] answer, HdlcException.Reason reason) { }
        for (Case k : List.of(new Case(badFcs, HdlcException.Reason.FCS), new Case(truncated, HdlcException.Reason.TRUNCATED),
                new Case(oversize, HdlcException.Reason.LENGTH), new Case(otherServer, HdlcException.Reason.ADDRESS),
                new Case(wrongSeq, HdlcException.Reason.SEQUENCE), new Case(frmr, HdlcException.Reason.FRAME_REJECT),
                new Case(dm, HdlcException.Reason.DISCONNECTED), new Case(new byte[0], HdlcException.Reason.TIMEOUT))) {
            HdlcClient c = client(new Script().answer(ua, k.answer()));
            c.connect();
            assertEquals(k.reason(), assertThrows(HdlcException.class, () -> c.exchange(new byte[] {9})).reason(), k.reason()::name);
        }
    }

    @Test
    void client_snrmRefusedWithDm_throwsDisconnected() {
        HdlcClient c = client(new Script().answer(from(SERVER, HdlcFrame.DM, false, null)));
        assertEquals(HdlcException.Reason.DISCONNECTED, assertThrows(HdlcException.class, c::connect).reason());
    }
}
