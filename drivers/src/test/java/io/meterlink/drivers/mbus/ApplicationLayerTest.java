package io.meterlink.drivers.mbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalTime;
import java.util.List;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

class ApplicationLayerTest {
    private static List<MbusRecord> records(String hex) throws DecodeException {
        byte[] b = bytes(hex);
        return ApplicationLayer.records(b, 0, b.length, false).records();
    }

    private static BigDecimal value(MbusRecord r) { return ((MbusValue.Numeric) r.value()).value(); }

    @Test
    void fbTable_megawattHoursAndGigajoules_scaledToCanonicalUnits() throws Exception {
        // 02 FB 01 (energy 10^0 MWh) 0A 00 → 10 MWh ; 02 FB 09 (10^0 GJ) 02 00 → 2 GJ
        List<MbusRecord> rs = records("02 FB 01 0A 00 02 FB 09 02 00");
        assertEquals(Unit.WH, rs.get(0).meaning().unit());
        assertEquals(0, new BigDecimal("10000000").compareTo(value(rs.get(0))));
        assertEquals(Unit.J, rs.get(1).meaning().unit());
        assertEquals(0, new BigDecimal("2000000000").compareTo(value(rs.get(1))));
        assertTrue(rs.get(0).isReading());
    }

    @Test
    void fdTable_voltsAmpsAndIdentifiers() throws Exception {
        // 02 FD 48 (10^-1 V) EE 08 → 228.6 V ; 02 FD 59 (10^-3 A) 10 27 → 10 A ; 0C FD 0E firmware BCD 00000102
        List<MbusRecord> rs = records("02 FD 48 EE 08 02 FD 59 10 27 0C FD 0E 02 01 00 00");
        assertEquals(Quantity.VOLTAGE, rs.get(0).meaning().quantity());
        assertEquals(0, new BigDecimal("228.6").compareTo(value(rs.get(0))));
        assertEquals(Quantity.CURRENT, rs.get(1).meaning().quantity());
        assertEquals(0, new BigDecimal("10").compareTo(value(rs.get(1))));
        assertEquals("firmware_version", rs.get(2).meaning().name());
        assertEquals(new MbusValue.Text("00000102"), rs.get(2).value());
        assertFalse(rs.get(2).isReading());
    }

    @Test
    void typeGDate_year127_isPeriodicEveryYearNotAYear() throws Exception {
        // 42 6C E1 F1: storage 1 date, day 1, month 1, year bits 1111111 = 127 (every year)
        MbusRecord r = records("42 6C E1 F1").get(0);
        assertEquals(new MbusValue.Date(null, "every year, month 1, day 1"), r.value());
        // an ordinary date still decodes: day 1, month 11, year 23 → E1 2B
        assertEquals(new MbusValue.Date(java.time.LocalDate.of(2023, 11, 1), "2023-11-01"), records("02 6C E1 2B").get(0).value());
    }

    @Test
    void typeGDate_month15_isEveryMonth() throws Exception {
        // day 5, month 15, year 24: 0x05 | (24 & 7) << 5 = 0x05, (24 >> 3) << 4 | 15 = 0x3F
        assertEquals(new MbusValue.Date(null, "year 2024, every month, day 5"), records("02 6C 05 3F").get(0).value());
    }

    @Test
    void inverseCompactProfile_expandsToEarlierStorageNumbersAndMonths() throws Exception {
        // storage 8: date 2026-02-01 (8204 6C 41 32), volume 10^-3 m3 (8404 13) 100;
        // 8D04 93 13: same storage, volume, VIFE 13 inverse compact profile, LVAR 0A:
        // SCB 34 (absolute, unit days, 32-bit), spacing FE (monthly), 90 then 0x80000000 (no value)
        List<MbusRecord> rs = records("82 04 6C 41 32 84 04 13 64 00 00 00 8D 04 93 13 0A 34 FE 5A 00 00 00 00 00 00 80");
        assertEquals(4, rs.size(), "profile is replaced by a date and a value for storage 9 only: " + rs);
        assertEquals(9, rs.get(2).storage());
        assertEquals(new MbusValue.Date(java.time.LocalDate.of(2026, 1, 1), "2026-01-01"), rs.get(2).value());
        assertEquals(9, rs.get(3).storage());
        assertEquals(0, new BigDecimal("0.090").compareTo(value(rs.get(3))));
        assertTrue(rs.get(3).isReading());
    }

    @Test
    void compactProfileWithRegisterNumbers_goesForwardInTime() throws Exception {
        // storage 2 date 2024-01-01 (82 01 6C 01 31), 8D 01 EE 1E: HCA, profile with register numbers,
        // LVAR 04: SCB 02 (absolute, 16-bit, unit s), spacing FE (not monthly with seconds: no dates), 7 → storage 3
        List<MbusRecord> rs = records("82 01 6C 01 31 8D 01 EE 1E 04 02 FE 07 00");
        assertEquals(2, rs.size(), rs.toString());
        assertEquals(3, rs.get(1).storage());
        assertEquals(Unit.HCA, rs.get(1).meaning().unit());
        assertEquals(0, BigDecimal.valueOf(7).compareTo(value(rs.get(1))));
    }

    @Test
    void inverseCompactProfile_signedDifferences_areTakenOffTheBaseValue() throws Exception {
        // storage 8 volume 10^-3 m3 = 64475 (BCD 8C04 13), profile 8D04 93 13 LVAR 08: SCB FB (signed
        // differences, days, 6-digit BCD), spacing FE, 4412 then 4151 → 60.063 and 55.912 m3
        List<MbusRecord> rs = records("8C 04 13 75 44 06 00 8D 04 93 13 08 FB FE 12 44 00 51 41 00");
        assertEquals(3, rs.size(), rs.toString());
        assertEquals(9, rs.get(1).storage());
        assertEquals(0, new BigDecimal("60.063").compareTo(value(rs.get(1))));
        assertEquals(10, rs.get(2).storage());
        assertEquals(0, new BigDecimal("55.912").compareTo(value(rs.get(2))));
    }

    @Test
    void compactProfile_longBinaryLvar_isReadLikeAnyLvar() throws Exception {
        // LVAR F0 announces 16 bytes: SCB 02 (absolute, 16-bit), spacing 01, then 7 elements of 1..7
        List<MbusRecord> rs = records("8D 01 EE 1E F0 02 01 01 00 02 00 03 00 04 00 05 00 06 00 07 00");
        assertEquals(7, rs.size(), rs.toString());
        assertEquals(9, rs.get(6).storage());
    }

    @Test
    void compactProfile_withIncrementsButNoBaseValue_staysRawWithItsModifier() throws Exception {
        // SCB 72: increment mode 01 (increments) and no storage-2 value before it: not expanded
        MbusRecord r = records("8D 01 EE 1E 04 72 FE 07 00").get(0);
        assertEquals(List.of("compact profile with register numbers"), r.modifiers());
        assertEquals(new MbusValue.Raw(bytes("72 FE 07 00")), r.value());
        assertFalse(r.isReading());
    }

    @Test
    void combinableVife_perHour_isCarriedAndNotAReading() throws Exception {
        // 04 93 22: volume l, VIFE per hour
        MbusRecord r = records("04 93 22 05 00 00 00").get(0);
        assertEquals(List.of("per hour"), r.modifiers());
        assertFalse(r.isReading());
    }

    @Test
    void combinableVife_multiplicativeCorrection_isApplied() throws Exception {
        // 04 93 75: volume l ×10^-1
        MbusRecord r = records("04 93 75 0A 00 00 00").get(0);
        assertTrue(r.isReading());
        assertEquals(0, new BigDecimal("0.001").compareTo(value(r)));
    }

    @Test
    void recordErrorVife_isCarried_noReading() throws Exception {
        MbusRecord r = records("04 93 15 FF FF FF FF").get(0); // E001 0101 no data available
        assertEquals("no data available", r.error());
        assertFalse(r.isReading());
    }

    @Test
    void manufacturerVif_keptRaw() throws Exception {
        MbusRecord r = records("02 FF 01 AB CD").get(0);
        assertEquals(VifMeaning.Kind.MANUFACTURER, r.meaning().kind());
        assertEquals("ABCD", ((MbusValue.Raw) r.value()).hex()); // bytes in the order sent
    }

    @Test
    void typeJ_timeOfDay() throws Exception {
        MbusRecord r = records("03 6D 1E 2D 0C").get(0); // 30 s, 45 min, 12 h
        assertEquals(new MbusValue.Time(LocalTime.of(12, 45, 30), "12:45:30"), r.value());
    }

    @Test
    void plainTextVif_unitFromTheMeter() throws Exception {
        // 02 7C 03 "h°C"? here "kWh" sent reversed: 68 57 6B
        MbusRecord r = records("02 7C 03 68 57 6B 05 00").get(0);
        assertEquals(VifMeaning.Kind.PLAIN_TEXT, r.meaning().kind());
        assertEquals("kWh", r.meaning().description());
        assertEquals(0, BigDecimal.valueOf(5).compareTo(value(r)));
    }

    @Test
    void lvarNegativeBcd_isNegative() throws Exception {
        MbusRecord r = records("0D 13 D2 34 12").get(0); // LVAR D2: negative BCD, 2 bytes: -1234 l
        assertEquals(0, new BigDecimal("-1.234").compareTo(value(r)));
    }

    @Test
    void decode_shortHeader_givesAccessAndStatus() throws Exception {
        byte[] b = bytes("7A 2A 04 00 00 04 13 01 00 00 00");
        ApplicationLayer.Apdu a = ApplicationLayer.decode(b, 0, b.length);
        assertEquals(TplHeader.Type.SHORT, a.header().type());
        assertEquals(42, a.header().accessNumber());
        assertEquals(4, a.header().status());
        assertEquals(1, a.records().size());
    }

    @Test
    void decode_encryptedHeader_throwsNoKey() {
        byte[] b = bytes("7A 2A 00 20 05 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10");
        assertEquals(Kind.NO_KEY, assertThrows(DecodeException.class, () -> ApplicationLayer.decode(b, 0, b.length)).kind());
    }

    @Test
    void decode_noHeader_recordsOnly() throws Exception {
        byte[] b = bytes("00 78 04 13 01 00 00 00");
        ApplicationLayer.Apdu a = ApplicationLayer.decode(b, 1, b.length - 1);
        assertEquals(TplHeader.Type.NONE, a.header().type());
        assertEquals(1, a.records().size());
    }

    @Test
    void secondaryAddress_wildcardsBecomeFNibbles() {
        assertArrayEquals(bytes("FF FF 34 12 2D 2C FF 07"), new SecondaryAddress("1234****", "KAM", -1, 7).toBytes());
        assertTrue(SecondaryAddress.ofId("1234FFFF").matches(new MbusHeader("12345678", "KAM", 1, 7, 0, 0, 0)));
        assertFalse(SecondaryAddress.ofId("1234FFFF").matches(new MbusHeader("12355678", "KAM", 1, 7, 0, 0, 0)));
    }

    @Test
    void records_twoBytesAfterGoodOnes_keepsThemAndReturnsTheTypedRest() throws Exception {
        // 0C 13 78563412 (volume 12345.678 m3), then 0C 13: a BCD8 record without its data, too short for any value
        byte[] b = bytes("0C 13 78 56 34 12 0C 13");
        ApplicationLayer.DataRecords r = ApplicationLayer.records(b, 0, b.length, false);
        assertEquals(1, r.records().size());
        assertEquals(0, new BigDecimal("12345.678").compareTo(value(r.records().get(0))));
        assertEquals(Kind.TRUNCATED, r.undecoded().kind());
        assertEquals("0C13", r.undecoded().hex());
        // a reserved special DIF after a good record: kept raw as the undecoded rest, nothing guessed
        byte[] special = bytes("0C 13 78 56 34 12 3F 01");
        assertEquals(Kind.UNSUPPORTED, ApplicationLayer.records(special, 0, special.length, false).undecoded().kind());
        byte[] clean = bytes("0C 13 78 56 34 12 2F 2F");
        assertNull(ApplicationLayer.records(clean, 0, clean.length, false).undecoded(), "idle filler is not an error");
    }

    @Test
    void records_oneTruncatedLastRecord_keepsTheGoodOnesBeforeIt() throws Exception {
        // the last record's value runs past the end (a capture cut short): the records before it stand, the rest is typed
        byte[] b = bytes("0C 13 78 56 34 12 0C 13 12");
        ApplicationLayer.DataRecords r = ApplicationLayer.records(b, 0, b.length, false);
        assertEquals(1, r.records().size());
        assertEquals(Kind.TRUNCATED, r.undecoded().kind());
        assertEquals("0C1312", r.undecoded().hex());
    }

    @Test
    void records_specialDifAfterGoodRecords_keepsThemWhateverFollows() throws Exception {
        // DIF 6F (reserved special function) followed by 5 more bytes: nothing after it is read as records
        byte[] b = bytes("0C 13 78 56 34 12 6F 01 02 03 04 05");
        ApplicationLayer.DataRecords r = ApplicationLayer.records(b, 0, b.length, false);
        assertEquals(1, r.records().size());
        assertEquals(Kind.UNSUPPORTED, r.undecoded().kind());
        assertEquals("6F0102030405", r.undecoded().hex());
    }

    @Test
    void records_brokenRecordInTheMiddle_refusesTheTelegram_goodOnesBeforeItIncluded() throws Exception {
        // 11 DIFEs are no valid record and more data follows: the parse may have gone astray, nothing is kept
        byte[] b = bytes("0C 13 78 56 34 12 84 80 80 80 80 80 80 80 80 80 80 00 13 01 02 03 04");
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, () -> ApplicationLayer.records(b, 0, b.length, false)).kind());
        // unless the data is known to end early (ciphertext cut short): then the records before it stand
        ApplicationLayer.DataRecords r = ApplicationLayer.recordsCutShort(b, 0, b.length);
        assertEquals(1, r.records().size());
    }

    @Test
    void records_brokenFirstRecord_refusesTheTelegram() {
        byte[] b = bytes("0C 13 12");
        assertEquals(Kind.TRUNCATED, assertThrows(DecodeException.class, () -> ApplicationLayer.records(b, 0, b.length, false)).kind());
    }
}
