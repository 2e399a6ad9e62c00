package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The iU891A / iM891A HCI over SLIP (RFC 1055), messages built byte by byte here. */
class Iu891aFramerTest {
    /** A plain telegram whose record holds C0 and DB (escaped on the line). */
    private static byte[] frame() {
        return TestFrames.withL(Hex.bytes("44 2D2C 78563412 1B 16 7A 42 00 00 00 04 13 C0 DB 34 12"));
    }

    /** The RX packet event for {@code frame} with RSSI −71 dBm. */
    private static byte[] rx(byte[] frame) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(Hex.bytes("80 96 B1 6A 00 00 00")); // time stamp, decryption status, encryption mode, info
        p.write(-71);
        p.writeBytes(frame);
        return Iu891aFramer.encode(Iu891aFramer.SAP_WMBUS, Iu891aFramer.MSG_RX_PACKET, p.toByteArray());
    }

    private static String hex(byte[] b) { return java.util.HexFormat.of().withUpperCase().formatHex(b); }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] x : parts) b.writeBytes(x);
        return b.toByteArray();
    }

    @Test
    void rxEvent_escapedBytes_fedOneByteAtATime_giveTheFrameAndRssi() throws Exception {
        byte[] line = concat(Hex.bytes("C0 C0"), Iu891aFramer.encode(0x09, 0x04, Hex.bytes("00")), rx(frame()), rx(frame()));
        assertTrue(hex(line).contains("DBDC") && hex(line).contains("DBDD"), "the line holds both escapes");
        Iu891aFramer f = new Iu891aFramer();
        int frames = 0;
        for (byte b : line) {
            f.feed(new byte[] {b}, 1);
            RadioFrame r;
            while ((r = f.next()) != null) {
                frames++;
                assertArrayEquals(frame(), r.frame());
                assertEquals(-71, r.rssiDbm());
                WmbusTelegram t = WmbusDecoder.decode(r.frame(), KeyLookup.none());
                assertEquals("12345678", t.id());
            }
        }
        assertEquals(2, frames, "the configuration response is skipped");
    }

    @Test
    void hostile_badEscape_badCrc_short_oversize_noise_typedThenRecovers() throws Exception {
        Iu891aFramer f = new Iu891aFramer();
        byte[] badEscape = Hex.bytes("C0 09 20 DB 41 00 00 C0");
        byte[] crc = rx(frame());
        crc[crc.length - 2] ^= 0x01; // last CRC byte (before the END), not an escape
        byte[] shortMsg = Hex.bytes("C0 09 20 C0");
        byte[] noise = Hex.bytes("5A 11 22 DB 99 C0");   // no SAP of the stick: skipped silently
        byte[] oversize = new byte[3 * Iu891aFramer.MAX_MESSAGE];
        Arrays.fill(oversize, (byte) 0x11);
        oversize[0] = 0x09;
        byte[] cutFrame = Iu891aFramer.encode(0x09, 0x20, concat(Hex.bytes("00000000 00 00 00 B9"), Arrays.copyOf(frame(), 12)));
        Kind[] expected = {Kind.SYNTAX, Kind.CHECKSUM, Kind.TRUNCATED, Kind.LENGTH, Kind.TRUNCATED};
        byte[][] inputs = {badEscape, crc, shortMsg, concat(Hex.bytes("C0"), oversize, Hex.bytes("C0")), cutFrame};
        for (int i = 0; i < inputs.length; i++) {
            f.feed(inputs[i], inputs[i].length);
            f.feed(noise, noise.length);
            byte[] good = rx(frame());
            f.feed(good, good.length);
            assertEquals(expected[i], assertThrows(DecodeException.class, f::next).kind(), "input " + i);
            RadioFrame r = f.next();
            assertNotNull(r, "the good message after input " + i);
            assertArrayEquals(frame(), r.frame());
            assertNull(f.next());
        }
    }

    @Test
    void idle_dropsAnUnfinishedMessage() throws Exception {
        Iu891aFramer f = new Iu891aFramer();
        byte[] half = Arrays.copyOf(rx(frame()), 12);
        f.feed(half, half.length);
        assertNull(f.next());
        assertTrue(f.idle());
        assertFalse(f.idle());
        byte[] good = rx(frame());
        f.feed(good, good.length);
        assertArrayEquals(frame(), f.next().frame());
    }

    @Test
    void setupCommand_wakeUpThenSetActiveConfiguration_ctMode_withCrc() throws Exception {
        byte[] cmd = new Iu891aFramer().setupCommand();
        assertEquals("C0C0C0C0", hex(Arrays.copyOf(cmd, 4)));
        // the framer reads its own command back as a message of SAP 09 (not a received frame)
        Iu891aFramer f = new Iu891aFramer();
        f.feed(cmd, cmd.length);
        assertNull(f.next(), "a well-formed message, CRC good, not an RX event");
        assertTrue(hex(cmd).startsWith("C0C0C0C0C00903030A0000000000DBDC270900"), hex(cmd));
    }

    @Test
    void config_iu891a_t1Accepted_s1Refused() {
        io.meterlink.core.api.driver.DriverFactory f = java.util.ServiceLoader.load(io.meterlink.core.api.driver.DriverFactory.class).stream()
                .map(java.util.ServiceLoader.Provider::get).filter(x -> x.type().equals("wmbus")).findFirst().orElseThrow();
        io.meterlink.drivers.testing.MapSettings t1 = new io.meterlink.drivers.testing.MapSettings(
                java.util.Map.of("port", "/dev/ttyUSB0", "dongle", "iu891a", "mode", "t1"));
        assertNotNull(f.configure(t1), t1.errors().toString());
        io.meterlink.drivers.testing.MapSettings s1 = new io.meterlink.drivers.testing.MapSettings(
                java.util.Map.of("port", "/dev/ttyUSB0", "dongle", "iu891a", "mode", "s1"));
        assertNull(f.configure(s1));
        assertTrue(s1.errors().toString().contains("iu891a: only t1 and c1"), s1.errors().toString());
    }
}
