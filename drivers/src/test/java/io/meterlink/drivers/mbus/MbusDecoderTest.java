package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

class MbusDecoderTest {
    // header: id 12345678 (BCD, LSB first) | man 2C 2D = KAM | version 01 | medium 07 water | access 2A | status 00 | signature 0000
    private static final String HEADER = "78 56 34 12 2D 2C 01 07 2A 00 00 00";
    private final MbusDecoder decoder = new MbusDecoder();

    private MbusTelegram decode(String records) throws DecodeException {
        return decoder.decode(new MbusFrame.Long(0x08, 5, 0x72, bytes(HEADER + " " + records)));
    }

    private static BigDecimal value(MbusRecord r) { return ((MbusValue.Numeric) r.value()).value(); }

    @Test
    void decode_header_givesIdManufacturerMedium() throws Exception {
        MbusTelegram t = decode("");
        assertEquals(new MbusHeader("12345678", "KAM", 1, 7, 42, 0, 0), t.header());
        assertEquals("water", MbusMedium.name(t.header().medium()));
        assertEquals(5, t.address());
    }

    @Test
    void decode_bcdVolume_scaledToCubicMetres() throws Exception {
        // 0C BCD8 | 13 volume 10^-3 m3 | 12345678 → 12345.678 m3
        MbusRecord r = decode("0C 13 78 56 34 12").records().get(0);
        assertEquals(Quantity.VOLUME, r.meaning().quantity());
        assertEquals(0, new BigDecimal("12345.678").compareTo(value(r)));
    }

    @Test
    void decode_negativeBcd_isNegative() throws Exception {
        // 0A BCD4 | 5A flow temperature 10^-1 °C | F0 12 → -1.2 °C? MSD F: -(0)012 → -12 × 0.1
        MbusRecord r = decode("0A 5A 12 F0").records().get(0);
        assertEquals(0, new BigDecimal("-1.2").compareTo(value(r)));
    }

    @Test
    void decode_signedInteger_isTwosComplement() throws Exception {
        // 02 INT16 | 67 external temperature 10^0 °C | FE FF → -2
        MbusRecord r = decode("02 67 FE FF").records().get(0);
        assertEquals(Quantity.EXTERNAL_TEMPERATURE, r.meaning().quantity());
        assertEquals(0, BigDecimal.valueOf(-2).compareTo(value(r)));
    }

    @Test
    void decode_flowPerMinuteAndPerSecond_convertedToPerHour() throws Exception {
        // 02 45 (m3/min 10^-2) 0A 00 → 0.1 m3/min = 6 m3/h ; 02 4F (m3/s 10^-2) 01 00 → 0.01 m3/s = 36 m3/h
        List<MbusRecord> rs = decode("02 45 0A 00 02 4F 01 00").records();
        assertEquals(Unit.M3_PER_H, rs.get(0).meaning().unit());
        assertEquals(0, BigDecimal.valueOf(6).compareTo(value(rs.get(0))));
        assertEquals(0, BigDecimal.valueOf(36).compareTo(value(rs.get(1))));
    }

    @Test
    void decode_durationsInHoursAndDays_convertedToSeconds() throws Exception {
        // 01 22 on time hours: 2 h ; 01 27 operating time days: 1 d
        List<MbusRecord> rs = decode("01 22 02 01 27 01").records();
        assertEquals(0, BigDecimal.valueOf(7200).compareTo(value(rs.get(0))));
        assertEquals(Quantity.OPERATING_TIME, rs.get(1).meaning().quantity());
        assertEquals(0, BigDecimal.valueOf(86400).compareTo(value(rs.get(1))));
    }

    @Test
    void decode_difeChain_givesStorageTariffSubunit() throws Exception {
        // C4 (storage bit 1, ext, INT32, inst) | C0 (ext, subunit 1) 2A (tariff 2, storage 10) | 06 kWh | 01 00 00 00
        MbusRecord r = decode("C4 C0 2A 06 01 00 00 00").records().get(0);
        assertEquals(1 | 10 << 5, r.storage());
        assertEquals(2 << 2, r.tariff());
        assertEquals(1, r.subunit());
        assertEquals(0, BigDecimal.valueOf(1000).compareTo(value(r)));
    }

    @Test
    void decode_functionField_maximum() throws Exception {
        MbusRecord r = decode("14 2B 10 00 00 00").records().get(0); // 14: max, INT32 | 2B W
        assertEquals(MeasurementFunction.MAXIMUM, r.function());
    }

    @Test
    void decode_reservedExtensionRecord_keptRawAndRestDecoded() throws Exception {
        // 02 FD 7A (FD table: reserved) 10 00, then 04 13 volume
        MbusTelegram t = decode("02 FD 7A 10 00 04 13 01 00 00 00");
        assertEquals(VifMeaning.Kind.UNSUPPORTED, t.records().get(0).meaning().kind());
        assertFalse(t.records().get(0).isReading());
        assertTrue(t.records().get(1).isReading());
    }

    @Test
    void decode_fillerAndMoreRecordsFollow() throws Exception {
        MbusTelegram t = decode("2F 04 13 01 00 00 00 2F 1F");
        assertEquals(1, t.records().size());
        assertTrue(t.moreRecordsFollow());
    }

    @Test
    void decode_manufacturerSpecific_stopsAndKeepsBytes() throws Exception {
        MbusTelegram t = decode("0F 01 02 03");
        assertEquals(0, t.records().size());
        assertFalse(t.moreRecordsFollow());
        assertEquals("010203", t.manufacturerData());
    }

    @Test
    void decode_dateTimeF_becomesMeterTimeInConfiguredZone() throws Exception {
        // 04 6D | minute 1A=26 | hour 0F | day 05 + year low 3 (0x65) | month 1 + year high 1 (0x11) → 2011-01-05 15:26
        MbusTelegram t = decode("04 6D 1A 0F 65 11 04 13 01 00 00 00");
        List<Reading> rs = new MbusReadingMapper(ZoneId.of("Europe/Berlin")).toReadings(t, Instant.EPOCH, null);
        assertEquals(1, rs.size());
        assertEquals(Instant.parse("2011-01-05T14:26:00Z"), rs.get(0).meterTime());
    }

    @Test
    void decode_invalidDateTime_givesNoMeterTime() throws Exception {
        MbusTelegram t = decode("04 6D 9A 0F 65 11 04 13 01 00 00 00"); // IV bit set in the minute byte
        assertNull(new MbusReadingMapper(ZoneOffset.UTC).meterTime(t));
    }

    @Test
    void decode_mode2MsbFirst_reversesFields() throws Exception {
        // CI 76: id 12 34 56 78, man 2C 2D, … ; 04 13 00 00 00 0A → 10 l
        MbusTelegram t = decoder.decode(new MbusFrame.Long(0x08, 1, 0x76,
                bytes("12 34 56 78 2C 2D 01 07 2A 00 00 00 04 13 00 00 00 0A")));
        assertEquals("12345678", t.header().id());
        assertEquals("KAM", t.header().manufacturer());
        assertEquals(0, new BigDecimal("0.010").compareTo(value(t.records().get(0))));
    }

    @Test
    void decode_real32_exactBinaryValue() throws Exception {
        // 05 5B real32 flow temperature °C: 0x42C80000 = 100.0
        MbusRecord r = decode("05 5B 00 00 C8 42").records().get(0);
        assertEquals(0, BigDecimal.valueOf(100).compareTo(value(r)));
    }

    @Test
    void decode_truncatedRecord_throwsTruncated() {
        assertEquals(Kind.TRUNCATED, assertThrows(DecodeException.class, () -> decode("04 13 01 00")).kind());
    }

    @Test
    void decode_elevenDifes_throwsSyntax() {
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class,
                () -> decode("84 80 80 80 80 80 80 80 80 80 80 00 13 01 00 00 00")).kind());
    }

    @Test
    void decode_shortHeader_throwsTruncated() {
        assertEquals(Kind.TRUNCATED, assertThrows(DecodeException.class,
                () -> decoder.decode(new MbusFrame.Long(0x08, 1, 0x72, bytes("78 56 34 12")))).kind());
    }

    @Test
    void decode_fixedDataStructure_throwsUnsupported() {
        assertEquals(Kind.UNSUPPORTED, assertThrows(DecodeException.class,
                () -> decoder.decode(new MbusFrame.Long(0x08, 1, 0x73, bytes(HEADER)))).kind());
    }
}
