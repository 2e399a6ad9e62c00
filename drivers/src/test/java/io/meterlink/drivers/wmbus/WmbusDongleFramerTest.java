package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class WmbusDongleFramerTest {
    private static final byte[] FRAME = TestFrames.plain(0x42);
    /** The frame as the dongles send it: without its L field. */
    private static final byte[] NO_L = Arrays.copyOfRange(FRAME, 1, FRAME.length);

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** An iM871A HCI message with time stamp, RSSI and CRC. */
    static byte[] imMessage(int endpoint, int msgId, byte[] payload, int rssiRaw) {
        byte[] head = {
                (byte) 0xA5,                  // start of frame
                (byte) (0xE0 | endpoint),     // control: CRC (8) + RSSI (4) + time stamp (2); endpoint id
                (byte) msgId,                 // message id
                (byte) payload.length};       // payload length
        byte[] tail = {
                0x10, 0x20, 0x30, 0x40,       // time stamp (LSB first)
                (byte) rssiRaw,               // RSSI
                0, 0};                        // CRC-16, filled in below (LSB first)
        byte[] m = cat(head, payload, tail);
        int crc = Im871aFramer.crc16(m, 1, m.length - 2);
        m[m.length - 2] = (byte) crc;
        m[m.length - 1] = (byte) (crc >> 8);
        return m;
    }

    @Test
    void cul_frameLines_withLqiAndRssi_otherLinesSkipped() throws Exception {
        byte[] air = LinkLayer.withCrcA(TestFrames.plain(9));
        String hex = java.util.HexFormat.of().withUpperCase().formatHex(air);
        CulFramer f = new CulFramer(WmbusMode.T1);
        assertEquals("brt\r\n", new String(f.setupCommand(), java.nio.charset.StandardCharsets.US_ASCII));
        // version answer, then a frame with LQI 2D and RSSI E4 (-28 / 2 - 74 = -88 dBm), split across two reads
        byte[] in = ("V 1.67 CUL868\r\nb" + hex + "2DE4\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        f.feed(java.util.Arrays.copyOf(in, 20), 20);
        assertNull(f.next());
        byte[] rest = java.util.Arrays.copyOfRange(in, 20, in.length);
        f.feed(rest, rest.length);
        RadioFrame r = f.next();
        assertArrayEquals(air, r.frame(), "the frame on air, CRCs left to the decoder");
        assertEquals(-88, r.rssiDbm());
        assertEquals("12345678", WmbusDecoder.decode(r.frame(), KeyLookup.none()).id());
        // without RSSI reporting the line is the frame alone
        f.feed(("b" + hex + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), hex.length() + 2);
        assertNull(f.next().rssiDbm());
        f.feed("bXYZ\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 5);
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, f::next).kind());
        assertEquals(0x2F + 1 + 2 * 4, CulFramer.onAirLength(0x2F, false), "format A: a CRC after the 10-byte first block and per 16 bytes after (48 = 10 + 16 + 16 + 6)");
    }

    @Test
    void im871a_crc_isCrc16X25_byItsStandardCheckValue() {
        // the catalogue check value of CRC-16/X.25 (poly 1021 reflected, init FFFF, xorout FFFF) over "123456789":
        // pins the framer's CRC independently of the fixtures below, which it also computes
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0x906E, Im871aFramer.crc16(check, 0, check.length));
        byte[] framed = cat(new byte[] {0x00}, check);
        assertEquals(0x906E, Im871aFramer.crc16(framed, 1, framed.length), "from/to bound the bytes covered");
    }

    @Test
    void im871a_wmbusMessageIndication_givesFrameWithLFieldAndRssi() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] msg = imMessage(0x02, 0x03, NO_L, 0x82); // RADIOLINK, WMBUS_MSG_IND
        byte[] stream = cat(Hex.bytes("00 13"), msg); // line noise first
        f.feed(stream, 10); // partial input
        assertNull(f.next());
        f.feed(Arrays.copyOfRange(stream, 10, stream.length), stream.length - 10);
        RadioFrame r = f.next();
        assertArrayEquals(FRAME, r.frame());
        assertEquals(Im871aFramer.rssiDbm(0x82), r.rssiDbm());
        assertEquals(-57, r.rssiDbm()); // 130 × 8/15 − 126.67
        assertNull(f.next());
    }

    @Test
    void im871a_badCrc_isChecksumError_andTheNextMessageStillComes() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] bad = imMessage(0x02, 0x03, NO_L, 0x80);
        bad[8] ^= 0x01;
        byte[] good = imMessage(0x02, 0x03, NO_L, 0x80);
        byte[] response = imMessage(0x01, 0x04, new byte[] {0x00}, 0); // DEVMGMT SET_CONFIG_RSP: skipped
        byte[] s = cat(bad, response, good);
        f.feed(s, s.length);
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
        RadioFrame r = f.next();
        assertArrayEquals(FRAME, r.frame());
    }

    @Test
    void im871a_falseStartWithMadeUpLength_isDroppedWhenTheLineGoesQuiet() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] good = imMessage(0x02, 0x03, NO_L, 0x80);
        // noise that looks like a received frame of 240 bytes (control E, RADIOLINK, MSG_IND, C field 44)
        byte[] falseStart = Hex.bytes("A5 E2 03 F0 44");
        byte[] s = cat(good, falseStart, good);
        f.feed(s, s.length);
        assertArrayEquals(FRAME, f.next().frame());
        assertNull(f.next(), "waits for the 240 bytes the false header announces");
        assertTrue(f.idle(), "a quiet line abandons the false start");
        assertArrayEquals(FRAME, f.next().frame(), "the real message behind it is not swallowed");
        assertNull(f.next());
        assertFalse(f.idle(), "nothing left to abandon");
    }

    @Test
    void im871a_headerWithoutCrcBit_onAStickThatSendsCrcs_isNoise() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] good = imMessage(0x02, 0x03, NO_L, 0x80);
        // DEVMGMT message of 32 bytes with only the time stamp bit: taken whole it would swallow the next frame
        byte[] falseStart = Hex.bytes("A5 21 04 20");
        byte[] s = cat(good, falseStart, good);
        f.feed(s, s.length);
        assertArrayEquals(FRAME, f.next().frame());
        assertArrayEquals(FRAME, f.next().frame());
        assertNull(f.next());
    }

    @Test
    void im871a_headerWithReservedBitOrUnknownEndpoint_isNoise() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] good = imMessage(0x02, 0x03, NO_L, 0x80);
        byte[] s = cat(Hex.bytes("A5 F2 03 30 44"), Hex.bytes("A5 E9 03 30 44"), good);
        f.feed(s, s.length);
        assertArrayEquals(FRAME, f.next().frame());
    }

    @Test
    void dongleFrames_areMarkedCrcFree_soAFrameEndingLikeAFormatBCrc_keepsItsLastBytes() throws Exception {
        Im871aFramer f = new Im871aFramer(WmbusMode.T1);
        byte[] m = imMessage(0x02, 0x03, NO_L, 0x80);
        f.feed(m, m.length);
        assertTrue(f.next().crcsRemoved());
        // a CRC-free frame whose last two bytes happen to be a valid format B CRC over the rest
        byte[] lookalike = LinkLayer.withCrcB(FRAME);
        assertEquals(lookalike.length - 2, LinkLayer.stripShared(lookalike).length, "guessing takes them for a CRC");
        assertEquals(lookalike.length, LinkLayer.withoutCrcs(lookalike).length, "a dongle's frame is taken as it is");
    }

    @Test
    void im871a_setupCommand_isASetConfigRequestWithValidCrc() {
        byte[] c = new Im871aFramer(WmbusMode.C1).setupCommand();
        assertEquals((byte) 0xA5, c[0]);
        assertEquals(0x81, c[1] & 0xFF);  // CRC flag, endpoint DEVMGMT
        assertEquals(0x03, c[2]);         // SET_CONFIG_REQ
        assertEquals(0x06, c[7]);         // link mode C1
        int crc = Im871aFramer.crc16(c, 1, c.length - 2);
        assertEquals(crc, (c[c.length - 2] & 0xFF) | (c[c.length - 1] & 0xFF) << 8);
    }

    /** An AMB8465 command-mode message: FF CMD LEN payload CS. */
    static byte[] ambCommand(int cmd, byte[] payload) {
        byte[] m = cat(new byte[] {
                (byte) 0xFF,                  // start
                (byte) cmd,                   // command
                (byte) payload.length},       // length (RSSI included)
                payload, new byte[1]);        // checksum below
        int cs = 0;
        for (int i = 0; i < m.length - 1; i++) cs ^= m[i];
        m[m.length - 1] = (byte) cs;
        return m;
    }

    @Test
    void amb8465_commandModeDataIndication_withRssi() throws Exception {
        Amb8465Framer f = new Amb8465Framer(WmbusMode.T1, true);
        byte[] m = cat(ambCommand(0x84, new byte[] {0x00}),           // CMD_SET_MODE_CNF: skipped
                ambCommand(0x03, cat(NO_L, new byte[] {(byte) 0xF0}))); // CMD_DATA_IND, RSSI 0xF0 = −16 → −82 dBm
        f.feed(m, m.length);
        RadioFrame r = f.next();
        assertArrayEquals(FRAME, r.frame());
        assertEquals(-82, r.rssiDbm());
        assertNull(f.next());
    }

    @Test
    void amb8465_badChecksum_isChecksumError() {
        Amb8465Framer f = new Amb8465Framer(WmbusMode.T1, false);
        byte[] m = ambCommand(0x03, NO_L);
        m[m.length - 1] ^= 0x55;
        f.feed(m, m.length);
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
    }

    @Test
    void amb8465_falseStartInNoise_failsItsChecksumButSwallowsNoRealMessage() throws Exception {
        Amb8465Framer f = new Amb8465Framer(WmbusMode.T1, false);
        byte[] good = ambCommand(0x03, NO_L);
        byte[] s = cat(good, Hex.bytes("FF 03 05"), good); // noise: a 9-byte message reaching into the next one
        f.feed(s, s.length);
        assertArrayEquals(FRAME, f.next().frame());
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
        assertArrayEquals(FRAME, f.next().frame());
        assertNull(f.next());
    }

    @Test
    void damagedMessage_withAFalseStartInside_isCountedOnce() throws Exception {
        Amb8465Framer amb = new Amb8465Framer(WmbusMode.T1, false);
        byte[] bad = ambCommand(0x03, cat(Hex.bytes("FF 03 02 00"), NO_L));
        bad[bad.length - 1] ^= 0x55;
        byte[] good = ambCommand(0x03, NO_L);
        byte[] s = cat(bad, good);
        amb.feed(s, s.length);
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, amb::next).kind());
        assertArrayEquals(FRAME, amb.next().frame(), "the inner false start is skipped silently");

        Im871aFramer im = new Im871aFramer(WmbusMode.T1);
        byte[] imBad = imMessage(0x02, 0x03, cat(NO_L, Hex.bytes("A5 E2 03 01 44 00 00 00 00 00 00 00 00")), 0x80);
        imBad[imBad.length - 1] ^= 0x5A;
        byte[] imGood = imMessage(0x02, 0x03, NO_L, 0x80);
        byte[] t = cat(imBad, imGood);
        im.feed(t, t.length);
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, im::next).kind());
        assertArrayEquals(FRAME, im.next().frame());
    }

    @Test
    void amb8465_damagedMessage_isNotReadAgainAsATransparentFrame() throws Exception {
        Amb8465Framer f = new Amb8465Framer(WmbusMode.T1, false);
        byte[] bad = ambCommand(0x03, cat(new byte[] {(byte) NO_L.length}, NO_L)); // inside: LEN + frame, transparent-shaped
        bad[bad.length - 1] ^= 0x55;
        f.feed(bad, bad.length);
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
        assertNull(f.next(), "the damaged message's bytes give no frame");
    }

    @Test
    void amb8465_transparentMode_lengthThenFrameThenRssi() throws Exception {
        Amb8465Framer f = new Amb8465Framer(WmbusMode.C1, true);
        byte[] m = cat(new byte[] {0x00, 0x11},                        // noise, skipped
                new byte[] {(byte) (NO_L.length + 1)}, NO_L,           // length (RSSI included), frame without L
                new byte[] {0x20});                                    // RSSI +32 → −58 dBm
        f.feed(m, m.length);
        RadioFrame r = f.next();
        assertArrayEquals(FRAME, r.frame());
        assertEquals(-58, r.rssiDbm());
    }

    @Test
    void hexLines_rtlWmbusAndPlainHex() throws Exception {
        HexLineFramer f = new HexLineFramer();
        String hex = java.util.HexFormat.of().formatHex(FRAME);
        String text = "# comment\n"
                + "T1;1;1;2019-04-03 19:00:42.000;97;148;12345678;0x" + hex + "\n"
                + "\n"
                + hex.replaceAll("(..)", "$1 ") + "\r\n"
                + "T1;0;1;2019-04-03 19:00:43.000;97;148;12345678;0x" + hex + "\n"
                + "zz\n";
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        f.feed(b, b.length);
        RadioFrame a = f.next();
        assertArrayEquals(FRAME, a.frame());
        assertNull(a.rssiDbm());
        assertArrayEquals(FRAME, f.next().frame());
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, f::next).kind());
        assertNull(f.next());
    }
}
