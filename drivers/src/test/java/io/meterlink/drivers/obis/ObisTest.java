package io.meterlink.drivers.obis;

import io.meterlink.drivers.crc.Crc16;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.driver.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ObisTest {
    @Test
    void crc16_standardCheckValues() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x906E, Crc16.X25.of(check, 0, 9));
        assertEquals(0x2189, Crc16.KERMIT.of(check, 0, 9));
        assertEquals(0xBB3D, Crc16.ARC.of(check, 0, 9));
        assertEquals(0xC2B7, Crc16.EN13757.of(check, 0, 9));
        assertEquals(0xD64E, Crc16.GENIBUS.of(check, 0, 9));
    }

    /** The reflected CRCs take four bytes per step: the same as the bit-by-bit definition for every length and offset. */
    @Test
    void crc16_reflected_fourBytesAtATime_equalsBitByBit() {
        java.util.Random random = new java.util.Random(7);
        byte[] b = new byte[64];
        random.nextBytes(b);
        for (int from = 0; from < 5; from++) {
            for (int to = from; to <= b.length; to++) {
                assertEquals(bitwise(0x8408, 0xFFFF, 0xFFFF, b, from, to), Crc16.X25.of(b, from, to));
                assertEquals(bitwise(0x8408, 0, 0, b, from, to), Crc16.KERMIT.of(b, from, to));
                assertEquals(bitwise(0xA001, 0, 0, b, from, to), Crc16.ARC.of(b, from, to));
            }
        }
    }

    private static int bitwise(int reversedPoly, int init, int xorOut, byte[] b, int from, int to) {
        int c = init;
        for (int i = from; i < to; i++) {
            c ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? c >>> 1 ^ reversedPoly : c >>> 1;
        }
        return c ^ xorOut;
    }

    @Test
    void parse_fullShortAndLetterForms() {
        assertEquals("1-0:1.8.0*255", Obis.parse("1-0:1.8.0").toString());
        assertEquals("0-1:24.2.1*255", Obis.parse("0-1:24.2.1").toString());
        assertEquals("1-0:1.8.1*1", Obis.parse("1-0:1.8.1*1").toString());
        assertEquals("255-255:1.8.1*255", Obis.parse("1.8.1").toString());
        assertEquals(new Obis(255, 255, 97, 97, 255, 255), Obis.parse("F.F"));
        assertEquals(new Obis(255, 255, 96, 5, 0, 255), Obis.parse("C.5.0"));
        assertNull(Obis.parse("hello"));
        assertNull(Obis.parse("1-0:1.8.256"));
    }

    @Test
    void meaning_mapsRegistersPowerPhasesAndTariffs() {
        ObisMeaning export2 = ObisMeaning.of(Obis.parse("1-0:2.8.2"), MeterUnit.text("kWh"));
        assertEquals(Quantity.ENERGY, export2.quantity());
        assertEquals("export", export2.direction());
        assertEquals(2, export2.tariff());
        ObisMeaning l2 = ObisMeaning.of(Obis.parse("1-0:41.7.0"), MeterUnit.text("kW"));
        assertEquals(Quantity.POWER, l2.quantity());
        assertEquals("L2", l2.phase());
        assertEquals(Quantity.VOLTAGE, ObisMeaning.of(Obis.parse("1-0:72.7.0"), null).quantity());
        assertEquals(Quantity.CURRENT, ObisMeaning.of(Obis.parse("1-0:31.7.0"), null).quantity());
        assertEquals(Quantity.FREQUENCY, ObisMeaning.of(Obis.parse("1-0:14.7.0"), null).quantity());
        assertEquals(Quantity.VOLUME, ObisMeaning.of(Obis.parse("0-1:24.2.1"), MeterUnit.text("m3")).quantity());
        assertNull(ObisMeaning.of(Obis.parse("0-0:96.1.1"), null).quantity());
    }

    @Test
    void record_convertsUnits_andKeepsUnknownCodes() {
        DecodedRecord r = ObisRecords.record(Obis.parse("1-0:1.8.1"), new BigDecimal("012345.678"), null, MeterUnit.text("kWh"), null);
        assertEquals(new BigDecimal("12345678"), r.value());
        assertEquals("Wh", r.unit());
        assertEquals(1, r.tariff());
        DecodedRecord unknown = ObisRecords.record(Obis.parse("1-0:99.1.0"), new BigDecimal("7"), null, MeterUnit.text("xyz"), null);
        assertNull(unknown.quantity());
        assertEquals("xyz", unknown.unit());
        assertEquals("1-0:99.1.0*255", unknown.fact("obis"));
        assertEquals(new BigDecimal("7"), unknown.value());
    }

    /** The one-long path gives the same unscaled value and scale as unit scaling and trailing-zero stripping on a BigDecimal. */
    @Test
    void shown_fromUnscaledAndScale_equalsTheBigDecimalSteps() {
        java.util.Random random = new java.util.Random(11);
        String[] units = {null, "kWh", "kW", "V", "A", "m3", "mA", "GJ", "min", "xyz"};
        long[] edges = {0, 1, -1, 10, 1000, -1000, 999_999_999_999_999_999L, -999_999_999_999_999_999L, 100_000_000_000_000_000L};
        for (int n = 0; n < 20_000; n++) {
            long unscaled = n < edges.length * 4 ? edges[n / 4] : random.nextLong() % (random.nextBoolean() ? 1_000_000L : 1_000_000_000_000_000_000L);
            int scale = n < edges.length * 4 ? n % 4 : random.nextInt(10);
            MeterUnit unit = MeterUnit.text(units[n % units.length]);
            BigDecimal expected = ObisRecords.shown(BigDecimal.valueOf(unscaled, scale), unit);
            BigDecimal got = ObisRecords.shown(unscaled, scale, unit);
            assertEquals(expected.unscaledValue(), got.unscaledValue(), unscaled + " scale " + scale + " " + unit);
            assertEquals(expected.scale(), got.scale(), unscaled + " scale " + scale + " " + unit);
        }
    }
}
