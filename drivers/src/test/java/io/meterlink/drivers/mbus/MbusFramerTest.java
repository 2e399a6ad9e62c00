package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import org.junit.jupiter.api.Test;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

class MbusFramerTest {
    // 68 L L 68 | C=08 RSP_UD | A=01 | CI=72 | … | CS | 16
    private static final String LONG = "68 03 03 68 08 01 72 7B 16";

    @Test
    void next_singleCharacter_isAck() throws Exception {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("E5"));
        assertInstanceOf(MbusFrame.Ack.class, f.next());
        assertNull(f.next());
    }

    @Test
    void next_shortFrame_givesControlAndAddress() throws Exception {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("10 7B 05 80 16")); // REQ_UD2 FCB=1 to primary 5, CS = 7B+05
        assertEquals(new MbusFrame.Short(0x7B, 5), f.next());
    }

    @Test
    void next_longFrameByteByByte_waitsThenGivesFrame() throws Exception {
        MbusFramer f = new MbusFramer();
        byte[] b = bytes(LONG);
        for (int i = 0; i < b.length - 1; i++) {
            f.feed(b, i, 1);
            assertNull(f.next(), "no frame before byte " + i);
        }
        f.feed(b, b.length - 1, 1);
        MbusFrame.Long l = assertInstanceOf(MbusFrame.Long.class, f.next());
        assertEquals(0x08, l.control());
        assertEquals(1, l.address());
        assertEquals(0x72, l.ci());
        assertEquals(0, l.dataLength());
    }

    @Test
    void next_garbageBeforeFrame_reportsSyntaxThenFindsFrame() throws Exception {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("00 FF 42 " + LONG));
        DecodeException e = assertThrows(DecodeException.class, f::next);
        assertEquals(Kind.SYNTAX, e.kind());
        assertInstanceOf(MbusFrame.Long.class, f.next());
    }

    @Test
    void next_badChecksum_reportsChecksumAndResyncs() throws Exception {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("68 03 03 68 08 01 72 7C 16 E5"));
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, f::next).kind());
        // the rest of the bad frame is noise (or false starts); the E5 behind it is still found
        MbusFrame frame = null;
        for (int i = 0; i < 10 && frame == null; i++) {
            try {
                frame = f.next();
            } catch (DecodeException e) {
                assertNotEquals(Kind.OTHER, e.kind());
            }
        }
        assertInstanceOf(MbusFrame.Ack.class, frame);
    }

    @Test
    void next_lengthFieldsDiffer_reportsLength() {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("68 03 04 68 08 01 72 7B 16"));
        assertEquals(Kind.LENGTH, assertThrows(DecodeException.class, f::next).kind());
    }

    @Test
    void next_falseStartInNoise_stillFindsRealFrameBehindIt() throws Exception {
        MbusFramer f = new MbusFramer();
        f.feed(bytes("10 99 " + LONG)); // looks like a short frame start, but is not
        int errors = 0;
        MbusFrame frame = null;
        for (int i = 0; i < 10 && frame == null; i++) {
            try {
                frame = f.next();
            } catch (DecodeException e) {
                errors++;
            }
        }
        assertTrue(errors >= 1);
        assertInstanceOf(MbusFrame.Long.class, frame);
    }

    @Test
    void parse_truncatedFrame_throwsTruncated() {
        assertEquals(Kind.TRUNCATED, assertThrows(DecodeException.class, () -> MbusFramer.parse(bytes("68 03 03 68 08 01"))).kind());
    }

    @Test
    void parse_trailingBytes_throwsLength() {
        assertEquals(Kind.LENGTH, assertThrows(DecodeException.class, () -> MbusFramer.parse(bytes(LONG + " 00"))).kind());
    }

    @Test
    void toBytes_roundTripsThroughParse() throws Exception {
        MbusFrame.Long l = new MbusFrame.Long(0x08, 7, 0x72, bytes("01 02 03 04 FF"));
        assertEquals(l, MbusFramer.parse(l.toBytes()));
        MbusFrame.Short s = new MbusFrame.Short(0x40, 250);
        assertEquals(s, MbusFramer.parse(s.toBytes()));
    }
}
