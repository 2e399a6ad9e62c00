package io.meterlink.sim.mbus;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The simulator's M-Bus encoder against bytes worked out by hand from EN 13757-2/-3, not from the
 * encoder or the driver's decoder: a wrong length, checksum, BCD order, manufacturer packing or
 * Type F date would make the virtual meters and the driver agree on a mistake.
 */
class RspUdBuilderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void longFrame_headerAndInt32Record_matchTheStandardLayout() {
        byte[] frame = new RspUdBuilder(1, "12345678", "KAM", 0x01, 0x07, 0x55, 0x00).int32(0x13, 12_345).build();
        // 68 L L 68 | C=08 (RSP_UD) A=01 CI=72 | id 12345678 as BCD LSB first | KAM = 0x2C2D LE | version, medium
        // (07 water), access no., status, signature 0000 | DIF 04 VIF 13 (volume, l) 12345 LE | checksum | 16
        // L = 3 + 12 + 6 = 0x15; checksum = 0x7B + 0x114 + 0x59 + 0x5D + 0x80 = 0x2C5 -> C5
        assertEquals("68151568" + "080172" + "78563412" + "2d2c" + "01075500" + "0000" + "041339300000" + "c5" + "16",
                HEX.formatHex(frame));
    }

    @Test
    void bcd8AndDateTimeF_records() {
        byte[] frame = new RspUdBuilder(0xFD, "00000001", "ABC", 0, 0x04, 0, 0)
                .bcd8(0x06, 12_345_678) // DIF 0C: 8 BCD digits, LSB first
                .dateTimeF(LocalDateTime.of(2008, 5, 31, 23, 50))
                .build();
        // ABC = (1<<10)|(2<<5)|3 = 0x0443; Type F 2008-05-31 23:50: min 0x32, hour 0x17,
        // day 31 | (8 & 7) << 5 = 0x1F, month 5 | (8 >> 3) << 4 = 0x15
        String data = "01000000" + "4304" + "00040000" + "0000" + "0c0678563412" + "046d32171f15";
        int sum = 0x08 + 0xFD + 0x72;
        for (byte b : HEX.parseHex(data)) sum += b & 0xFF;
        assertEquals(0xD7, sum & 0xFF, "checksum: 0x177 + 0x260 = 0x3D7");
        assertEquals("681b1b68" + "08fd72" + data + "d7" + "16", HEX.formatHex(frame));
    }
}
