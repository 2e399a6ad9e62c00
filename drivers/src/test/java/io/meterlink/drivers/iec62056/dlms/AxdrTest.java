package io.meterlink.drivers.iec62056.dlms;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** A-XDR data (IEC 62056-5-3) decoded from bytes worked by hand, every data type the client reads. */
class AxdrTest {
    private static DlmsValue read(String hex) throws DlmsException { return Axdr.read(HexFormat.of().parseHex(hex.replace(" ", ""))); }

    private static BigDecimal num(String hex) throws DlmsException { return ((DlmsValue.Num) read(hex)).value(); }

    @Test
    void integers_ofEveryWidthAndSign() throws Exception {
        assertEquals(new BigDecimal(-3), num("0F FD"));                    // integer
        assertEquals(new BigDecimal(253), num("11 FD"));                   // unsigned
        assertEquals(new BigDecimal(-200), num("10 FF38"));                // long
        assertEquals(new BigDecimal(65535), num("12 FFFF"));               // long-unsigned
        assertEquals(new BigDecimal(-1), num("05 FFFFFFFF"));              // double-long
        assertEquals(new BigDecimal(4660), num("06 00001234"));            // double-long-unsigned
        assertEquals(new BigDecimal(4294967295L), num("06 FFFFFFFF"));
        assertEquals(new BigDecimal(-2), num("14 FFFFFFFFFFFFFFFE"));      // long64
        assertEquals(new BigDecimal("18446744073709551615"), num("15 FFFFFFFFFFFFFFFF")); // long64-unsigned
        assertEquals(new BigDecimal(30), num("16 1E"));                    // enum (unit Wh)
    }

    @Test
    void floats_areTheirShortestExactDecimal() throws Exception {
        assertEquals(0, new BigDecimal("10").compareTo(num("17 41200000")));          // float32 10.0
        assertEquals(0, new BigDecimal("49.98").compareTo(num("17 4247EB85")));       // float32 49.98
        assertEquals(0, new BigDecimal("1.5").compareTo(num("18 3FF8000000000000"))); // float64
        assertEquals(DlmsException.Reason.SYNTAX, assertThrows(DlmsException.class, () -> read("17 7FC00000")).reason()); // NaN
    }

    @Test
    void strings_structuresAndArrays() throws Exception {
        assertEquals(new DlmsValue.Text(Axdr.VISIBLE_STRING, "ABC"), read("0A 03 414243"));
        DlmsValue.Octets ln = (DlmsValue.Octets) read("09 06 0100010800FF");
        assertArrayEquals(new byte[] {1, 0, 1, 8, 0, (byte) 255}, ln.bytes());
        DlmsValue.Items su = (DlmsValue.Items) read("02 02 0F FD 16 1E"); // scaler_unit {-3, Wh}
        assertEquals(Axdr.STRUCTURE, su.tag());
        assertEquals(List.of(new DlmsValue.Num(Axdr.INTEGER, new BigDecimal(-3)), new DlmsValue.Num(Axdr.ENUM, new BigDecimal(30))), su.items());
        DlmsValue.Items arr = (DlmsValue.Items) read("01 02 12 0001 12 0002");
        assertEquals(2, arr.items().size());
        assertEquals(new DlmsValue.Bool(true), read("03 01"));
        assertEquals(new DlmsValue.Null(), read("00"));
        assertEquals(2, ((DlmsValue.Octets) read("04 0A C0 40")).length()); // bit-string of 10 bits
    }

    @Test
    void longLengthForm_isRead() throws Exception {
        StringBuilder s = new StringBuilder("09 81 80 ");
        for (int i = 0; i < 128; i++) s.append("41");
        assertEquals(128, ((DlmsValue.Octets) read(s.toString())).length());
    }

    @Test
    void dateTime_withDeviation_isUtc_withoutIt_local() {
        // 2022-12-07 (Wednesday) 10:30:00.00, deviation -60 (local time is UTC+1), status 00
        assertEquals("2022-12-07T09:30:00Z", DlmsDateTime.iso(HexFormat.of().parseHex("07E60C07030A1E0000FFC400")));
        assertEquals("2022-12-07T10:30:00", DlmsDateTime.iso(HexFormat.of().parseHex("07E60C07030A1E0000800000")));
        assertNull(DlmsDateTime.iso(HexFormat.of().parseHex("FFFF0C07030A1E0000800000")), "year not specified");
    }

    @Test
    void cutShort_tooDeep_andUnknownTags_throwSyntax() {
        for (String bad : List.of("06 0012", "09 05 0102", "02 02 0F", "0A 84 7FFFFFFF", "13 00", "FF")) {
            assertEquals(DlmsException.Reason.SYNTAX, assertThrows(DlmsException.class, () -> read(bad)).reason(), bad);
        }
        assertThrows(DlmsException.class, () -> read("02 01 ".repeat(40) + "00"));
    }

    @Test
    void encodeThenRead_roundTrips_andAnyBytesGiveAValueOrDlmsException() throws Exception {
        DlmsValue v = new DlmsValue.Items(Axdr.STRUCTURE, List.of(new DlmsValue.Num(Axdr.LONG64, new BigDecimal(-5)),
                new DlmsValue.Text(Axdr.VISIBLE_STRING, "x".repeat(300)), new DlmsValue.Num(Axdr.FLOAT64, new BigDecimal("0.1"))));
        assertEquals(Axdr.encode(v).length, Axdr.encode(Axdr.read(Axdr.encode(v))).length);
        assertEquals(((DlmsValue.Items) v).items().get(0), ((DlmsValue.Items) Axdr.read(Axdr.encode(v))).items().get(0));
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[1 + r.nextInt(24)];
            r.nextBytes(b);
            try {
                assertNotNull(Axdr.read(b));
            } catch (DlmsException expected) {
                assertNotNull(expected.reason());
            }
        }
    }
}
