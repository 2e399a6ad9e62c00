package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.FrameDecoder;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** The wired M-Bus decoder as offered through the driver SPI. */
class MbusFrameDecoderTest {
    private final MbusFrameDecoder decoder = new MbusFrameDecoder();

    @Test
    void detect_tellsWiredFromWireless() {
        assertTrue(decoder.detect(new byte[] {(byte) 0xE5}) > 0);
        assertTrue(decoder.detect(new byte[] {0x10, 0x5B, 0x01, 0x5C, 0x16}) > 0);
        assertEquals(0, decoder.detect(new byte[] {0x2E, 0x44, 0x2D, 0x2C}));
        assertEquals(0, decoder.detect(new byte[0]));
    }

    @Test
    void factory_offersTheDecoderUnderItsType() {
        FrameDecoder d = new MbusDriverFactory().decoder().orElseThrow();
        assertEquals(new MbusDriverFactory().type(), d.protocol());
    }

    @Test
    void decode_shortFrame_givesControlAndAddress() throws Exception {
        DecodedFrame f = decoder.open(FrameDecoder.Options.none()).decode(HexFormat.of().parseHex("105B015C16"));
        assertEquals("short", f.headerFact("frame"));
        assertEquals("5B", f.headerFact("c"));
        assertEquals(1, f.headerFact("a"));
        assertNull(f.records());
    }
}
