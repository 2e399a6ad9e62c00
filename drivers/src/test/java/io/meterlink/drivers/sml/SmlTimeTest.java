package io.meterlink.drivers.sml;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SmlTimeTest {
    private static SmlNode unix(long bits, int width, boolean signed) {
        return new SmlNode.Seq(List.of(new SmlNode.Int(2, 1, false), new SmlNode.Int(bits, width, signed)));
    }

    @Test
    void aTimeOutsideInstantsRange_isNoTime_notADateTimeException() {
        assertEquals("2021-01-01T00:00:00Z", SmlFileDecoder.time(unix(1_609_459_200L, 4, false)));
        assertNull(SmlFileDecoder.time(unix(0x00FF_FFFF_FFFF_FFFFL, 7, false)));
        assertNull(SmlFileDecoder.time(unix(Long.MAX_VALUE, 8, true)));
        assertNull(SmlFileDecoder.time(unix(Long.MIN_VALUE, 8, true)));
        assertNull(SmlFileDecoder.time(unix(-1L, 8, false))); // unsigned 2^64 - 1
        SmlNode local = new SmlNode.Seq(List.of(new SmlNode.Int(3, 1, false),
                new SmlNode.Seq(List.of(new SmlNode.Int(Long.MAX_VALUE, 8, true), new SmlNode.Int(0, 2, true), new SmlNode.Int(0, 2, true)))));
        assertNull(SmlFileDecoder.time(local));
    }
}
