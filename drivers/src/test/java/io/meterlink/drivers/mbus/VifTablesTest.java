package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The VIF tables against EN 13757-3 (2013/2018, and the first edition's US gallon codes): one data
 * record per audited code, and every code of the FB, FD, EF and combinable tables decoding to a
 * meaning or a typed reserved outcome.
 */
class VifTablesTest {
    private static List<MbusRecord> records(String hex) throws DecodeException {
        byte[] b = bytes(hex);
        return ApplicationLayer.records(b, 0, b.length, false).records();
    }

    private static BigDecimal value(MbusRecord r) { return ((MbusValue.Numeric) r.value()).value(); }

    /**
     * DIF 02 (16-bit integer) with value 1000 (E8 03) under each VIB: the value in the canonical unit,
     * the name, and whether it is a reading. Expected values are 1000 × the standard's scale.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // VIB      | name                               | unit | value              | reading
            "FB 22      | volume                             | m3   | 0.3785411784       | true",  // 0.1 US gallon
            "FB 23      | volume                             | m3   | 3.785411784        | true",  // 1 US gallon
            "FB 24      | volume_flow                        | m3/h | 0.22712470704      | true",  // 0.001 US gallon/min
            "FB 25      | volume_flow                        | m3/h | 227.12470704       | true",  // 1 US gallon/min
            "FB 26      | volume_flow                        | m3/h | 3.785411784        | true",  // 1 US gallon/h
            "FB 20      | volume                             | m3   | 28.316846592       | true",  // ft3
            "FB 21      | volume                             | m3   | 2.8316846592       | true",  // 0.1 ft3
            "FB 00      | energy                             | Wh   | 100000000          | true",  // 0.1 MWh
            "FB 03      | energy                             | varh | 10000000           | true",  // 10 kvarh
            "FB 04      | energy                             | VAh  | 1000000            | true",  // 1 kVAh
            "FB 09      | energy                             | J    | 1000000000000      | true",  // 1 GJ
            "FB 0C      | energy                             | J    | 418680000          | true",  // 0.1 MCal
            "FB 11      | volume                             | m3   | 1000000            | true",  // 1000 m3
            "FB 16      | power                              | var  | 100000             | true",  // 0.1 kvar
            "FB 18      | mass                               | kg   | 100000000          | true",  // 100 t
            "FB 1A      | relative_humidity                  | %    | 100                | true",  // 0.1 %
            "FB 29      | power                              | W    | 1000000000         | true",  // 1 MW
            "FB 2A      | phase_u_u                          |      | 100                | false", // 0.1 degree
            "FB 2F      | frequency                          | Hz   | 1000               | true",  // 1 Hz
            "FB 30      | power                              | J/h  | 100000000000       | true",  // 0.1 GJ/h
            "FB 37      | power                              | VA   | 1000000            | true",  // 1 kVA
            "FB 5B      | flow_temperature_fahrenheit        |      | 1000               | false", // 1 °F
            "FB 75      | temperature_limit                  | °C   | 10                 | false", // 0.01 °C
            "FB 7F      | cumulative_max_power               | W    | 10000000           | false", // 10^4 W
            "FD 02      | credit                             |      | 100                | false", // 10^-1 currency
            "FD 08      | access_number                      |      | 1000               | false",
            "FD 26      | storage_interval                   | s    | 3600000            | false", // hours
            "FD 2E      | duration_since_last_readout        | s    | 3600000            | false", // hours
            "FD 31      | duration_of_tariff                 | s    | 60000              | false", // minutes
            "FD 33      | duration_of_tariff                 | s    | 86400000           | false", // days
            "FD 37      | period_of_tariff                   | s    | 86400000           | false", // days
            "FD 3D      | nominal_transmission_period        | s    | 60000              | false", // minutes
            "FD 4C      | voltage                            | V    | 1000000            | true",  // 10^3 V
            "FD 59      | current                            | A    | 1                  | true",  // 10^-3 A
            "FD 68      | duration_since_last_cumulation     | s    | 3600000            | false", // hours
            "FD 6E      | battery_operating_time_months      |      | 1000               | false",
            "FD 71      | signal_strength                    | dBm  | 1000               | true",
            "FD 74      | remaining_battery_lifetime         | s    | 86400000           | false", // days
            "FD 75      | meter_stopped_count                |      | 1000               | false",
            "6E         | heat_cost_allocation               | HCA  | 1000               | true",
            "83 75      | energy                             | Wh   | 100                | true",  // Wh × 10^-1
            "83 7D      | energy                             | Wh   | 1000000            | true",  // Wh × 10^3
            "FB 80 74   | energy                             | Wh   | 1000000            | true",   // 0.1 MWh × 10^-2
    })
    void code_decodesToCanonicalValue(String vib, String name, String unit, String value, boolean reading) throws Exception {
        MbusRecord r = records("02 " + vib + " E8 03").get(0);
        assertEquals(name, r.meaning().name(), r.meaning().description());
        assertEquals(unit == null ? null : unit, r.meaning().unit() == null ? null : r.meaning().unit().symbol());
        assertEquals(new BigDecimal(value).stripTrailingZeros(), value(r).stripTrailingZeros());
        assertEquals(reading, r.isReading());
    }

    /**
     * Combinable VIFEs that change what the value is: limit-exceed and start dates become dates, numbers of
     * exceeds plain counts; a limit value and a duration keep the VIF's unit (the modifier says which).
     * VIF 93 is volume in litres (10^-3 m3).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // record              | shown value           | unit | modifier
            "02 93 4A 21 1C        | 2009-12-01            |      | date/time of begin of first upper limit exceed",
            "04 93 6B 1E 0C 0F 36  | 2024-06-15T12:30:00   |      | date/time of end of first",
            "04 93 39 1E 0C 0F 36  | 2024-06-15T12:30:00   |      | start date/time of",
            "04 93 47 1E 0C 0F 36  | 2024-06-15T12:30:00   |      | date/time of end of last lower limit exceed",
            "02 93 56 E8 03        | 1                     | m3   | duration of last lower limit exceed (h)",  // VIF's unit kept (see CombinableVifes)
            "02 93 61 E8 03        | 1                     | m3   | duration of first (min)",
            "02 93 49 E8 03        | 1000                  |      | number of exceeds of upper limit value",
            "02 93 41 E8 03        | 1000                  |      | number of exceeds of lower limit value",
            "02 93 48 E8 03        | 1                     | m3   | upper limit value",
            "02 93 6C E8 03        | 1                     | m3   | value during upper limit exceed",
    })
    void combinable_changesWhatTheValueIs(String record, String shown, String unit, String modifier) throws Exception {
        MbusRecord r = records(record).get(0);
        assertEquals(List.of(modifier), r.modifiers());
        io.meterlink.core.api.driver.DecodedRecord d = MbusFacts.record(r);
        Object v = d.fact(io.meterlink.core.api.driver.DecodedRecord.VALUE);
        assertEquals(shown, v instanceof BigDecimal b ? b.toPlainString() : String.valueOf(v));
        assertEquals(unit, r.meaning().unit() == null ? null : r.meaning().unit().symbol());
        assertEquals("volume", r.meaning().name());
        assertFalse(r.isReading());
    }

    @Test
    void eventDate_isNotTheMetersClock() throws Exception {
        // date/time of end of first (VIFE 6B) on a volume, then the meter's own date-time (6D)
        List<MbusRecord> rs = records("04 93 6B 1E 0C 0F 36 04 6D 1F 0D 10 36");
        assertEquals(VifMeaning.Kind.EVENT_TIME, rs.get(0).meaning().kind());
        assertEquals(java.time.LocalDateTime.of(2024, 6, 16, 13, 31).atZone(java.time.ZoneOffset.UTC).toInstant(),
                new MbusReadingMapper(java.time.ZoneOffset.UTC).meterTime(rs));
        assertEquals(java.time.LocalDateTime.of(2024, 6, 15, 12, 30), ((MbusValue.DateTime) rs.get(0).value()).dateTime());
    }

    @Test
    void batteryChangeAndTariffStart_areEventsNotTheClock() throws Exception {
        List<MbusRecord> rs = records("04 FD 70 1E 0C 0F 36 06 FD 30 05 1E 0C 0F 36 00");
        for (MbusRecord r : rs) assertEquals(VifMeaning.Kind.EVENT_TIME, r.meaning().kind(), r.meaning().name());
        assertEquals(java.time.LocalDateTime.of(2024, 6, 15, 12, 30, 0), ((MbusValue.DateTime) rs.get(0).value()).dateTime()); // type F
        assertEquals(java.time.LocalDateTime.of(2024, 6, 15, 12, 30, 5), ((MbusValue.DateTime) rs.get(1).value()).dateTime()); // type I
        assertNull(new MbusReadingMapper(java.time.ZoneOffset.UTC).meterTime(rs));
    }

    /** VIFE E111 1100 then a code of the combinable extension table: phase, quadrant, import/export delta, absolute count or data type, never a reading. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "01 | at phase L1",
            "02 | at phase L2",
            "03 | at phase L3",
            "04 | at neutral",
            "05 | between phase L1 and L2",
            "06 | between phase L2 and L3",
            "07 | between phase L3 and L1",
            "08 | at quadrant Q1",
            "09 | at quadrant Q2",
            "0A | at quadrant Q3",
            "0B | at quadrant Q4",
            "0C | delta between import and export",
            "10 | accumulation of abs value for positive and negative contributions",
            "11 | data presented with type C",
            "12 | data presented with type D",
            "00 | reserved extension VIFE 00",
            "0D | reserved extension VIFE 0D",
            "13 | reserved extension VIFE 13",
            "7E | reserved extension VIFE 7E",
    })
    void combinableExtension_namesThePhase(String code, String modifier) throws Exception {
        // 02 FD C9 FC xx E6 00: volts 10^0 (FD 49 with extension bit), VIFE FC, extension code, 230 V
        List<MbusRecord> rs = records("02 FD C9 FC " + code + " E6 00 02 FD 49 E7 00");
        MbusRecord r = rs.get(0);
        assertEquals("voltage", r.meaning().name());
        assertEquals(List.of(modifier), r.modifiers());
        assertEquals(new BigDecimal(230), value(r));
        assertFalse(r.isReading());
        assertTrue(rs.get(1).isReading()); // the next record is read from the right place
        assertEquals(new BigDecimal(231), value(rs.get(1)));
    }

    @Test
    void combinableExtension_thenMainTableAgain() throws Exception {
        // volume l (93) | FC 82: extension, at phase L2 with extension bit | 3B: accumulation only if positive
        MbusRecord r = records("02 93 FC 82 3B E8 03").get(0);
        assertEquals(List.of("at phase L2", "accumulation only if positive"), r.modifiers());
        assertEquals(0, BigDecimal.ONE.compareTo(value(r)));
    }

    @Test
    void extensionVifeLast_keptAsModifier() throws Exception {
        MbusRecord r = records("02 93 7C E8 03").get(0);
        assertEquals(List.of("extension of combinable VIFE"), r.modifiers());
        assertFalse(r.isReading());
    }

    @Test
    void manufacturerRecord_givesTheThreeLetterCode() throws Exception {
        // FD 0A with 16-bit data: coded as the header's manufacturer field (2C 2D = KAM); 4-digit BCD stays digits
        List<MbusRecord> rs = records("02 FD 0A 2D 2C 0A FD 0A 34 12");
        assertEquals(new MbusValue.Text("KAM"), rs.get(0).value());
        assertEquals(new MbusValue.Text("1234"), rs.get(1).value());
        assertEquals("KAM", MbusFacts.record(rs.get(0)).fact(io.meterlink.core.api.driver.DecodedRecord.VALUE));
    }

    @Test
    void thirdExtensionTable_reservedAndRaw() throws Exception {
        List<MbusRecord> rs = records("02 EF 05 E8 03 02 13 E8 03");
        MbusRecord r = rs.get(0);
        assertEquals(VifMeaning.Kind.UNSUPPORTED, r.meaning().kind());
        assertEquals("reserved VIF EF 05 (third extension table)", r.meaning().description());
        assertEquals(new MbusValue.Raw(bytes("E8 03")), r.value());
        assertEquals(0, BigDecimal.ONE.compareTo(value(rs.get(1))));
    }

    /** Every first VIFE after FB/FD/EF and every combinable VIFE (after VIF 93, and after FC): a meaning or a typed reserved outcome. */
    @Test
    void everyCode_decodesWithoutException() throws Exception {
        int known = 0;
        for (String prefix : List.of("FB", "FD", "EF", "93", "93 FC", "FD C9", "FB 80")) {
            for (int code = 0; code < 0x80; code++) {
                String vib = prefix + String.format(" %02X", code);
                List<MbusRecord> rs = records("0C " + vib + " 78 56 34 12 02 13 E8 03");
                assertEquals(2, rs.size(), vib);
                assertEquals(0, BigDecimal.ONE.compareTo(value(rs.get(1))), vib); // the parse stayed in step
                MbusRecord r = rs.get(0);
                assertNotNull(MbusFacts.record(r), vib); // renders for `meterlink decode`
                boolean combinable = !prefix.equals("FB") && !prefix.equals("FD") && !prefix.equals("EF");
                if (combinable) {
                    boolean scaled = r.meaning().factor().compareTo(combinableBase(prefix)) != 0;
                    boolean typed = scaled || r.meaning().description().contains("×10^") || r.error() != null || r.modifiers().size() == 1;
                    assertTrue(typed, vib + " neither scaled, an error nor a modifier: " + r);
                    if (r.modifiers().size() == 1 && !r.modifiers().get(0).startsWith("reserved")) known++;
                } else if (r.meaning().kind() == VifMeaning.Kind.UNSUPPORTED && r.meaning().name().equals("unsupported")) {
                    assertTrue(r.meaning().description().startsWith("reserved VIF " + prefix), vib + ": " + r.meaning().description());
                    assertInstanceOf(MbusValue.Raw.class, r.value(), vib);
                    assertFalse(r.isReading(), vib);
                } else {
                    known++;
                }
            }
        }
        assertTrue(known > 300, "known codes " + known);
    }

    /** Every primary VIF (plain text 7C aside: its length byte follows), alone and with a "no error" VIFE 00. */
    @Test
    void everyPrimaryVif_decodesWithoutException() throws Exception {
        int readings = 0;
        for (int vif = 0; vif < 0x80; vif++) {
            if (vif == 0x7C) continue;
            for (String vib : List.of(String.format("%02X", vif), String.format("%02X 00", vif | 0x80))) {
                if (vif == 0x7B || vif == 0x7D) vib = String.format("%02X", vif); // FB/FD need their extension bit to read on
                List<MbusRecord> rs = records("0C " + vib + " 78 56 34 12 02 13 E8 03");
                assertEquals(2, rs.size(), vib);
                assertEquals(0, BigDecimal.ONE.compareTo(value(rs.get(1))), vib);
                assertNotNull(MbusFacts.record(rs.get(0)), vib);
                if (rs.get(0).isReading()) readings++;
                VifMeaning m = rs.get(0).meaning();
                if (m.kind() == VifMeaning.Kind.UNSUPPORTED) assertFalse(rs.get(0).isReading(), vib);
            }
        }
        // 00-1F energy/volume/mass 32, 20-27 on/operating time 8, 28-57 power/flows 48, 58-6B temperatures
        // and pressure 20, 6E HCA 1, 70-77 averaging/actuality duration 8: 117 reading codes, each twice
        assertEquals(2 * 117, readings);
    }

    private static BigDecimal combinableBase(String prefix) {
        return switch (prefix) {
            case "FD C9" -> BigDecimal.ONE;             // volts 10^0
            case "FB 80" -> new BigDecimal("100000");  // 0.1 MWh in Wh
            default -> new BigDecimal("0.001");        // litres in m3
        };
    }
}
