package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.drivers.testing.Hex;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Driver files: parsing and validation errors, byte-slice extraction, formulas, lookups, and their values in a telegram. */
class DriverFileTest {
    /** A made-up meter "XYZ" with a manufacturer CI A0 payload (our own bytes, no third-party data). */
    private static final String XYZ = """
            driver: xyz-test
            detect:
              - {manufacturer: XYZ, device_type: 0x07, ci: 0xA0}
            fields:
              - {name: total, unit: l, slice: {from: manufacturer_data, offset: 1, length: 4, encoding: bcd}}
              - {name: previous, unit: m3, scale: 0.01, storage: 1, slice: {from: manufacturer_data, offset: 5, length: 2, order: be}}
              - {name: delta, unit: m3, scale: 0.001, storage: 2, slice: {from: manufacturer_data, offset: 7, length: 2, encoding: int}, repeat: {count: 2, step: 2}}
              - {name: temperature, quantity: temperature, unit: °C, scale: 0.1, slice: {from: manufacturer_data, offset: 11, length: 2, encoding: int, invalid: "8000"}}
              - {name: packed, unit: HCA, slice: {from: manufacturer_data, offset: 13, length: 1, encoding: u12, nibble_at: 1, nibble: high}}
              - {name: leak, slice: {from: manufacturer_data, offset: 0, length: 1}, lookup: {bits: {0x01: LEAK, 0x02: BURST}, none: OK}}
              - {name: sum, unit: m3, formula: previous + 1.5}
              - {name: chain, unit: m3, formula: previous + 1.5 * 2 - sum}
              - {name: only_when_flagged, unit: m3, slice: {from: manufacturer_data, offset: 1, length: 1}, when: {offset: 0, mask: 0x80, value: 0x80}}
            """;

    /** A made-up register layout: from manufacturer data, 2 header bytes, tags 10 (4 bytes), 20 (1), 70–7F (1 + 2 per low nibble). */
    private static final String REGISTERS_FILE = """
            driver: xyz-registers
            detect:
              - {manufacturer: XYZ, ci: 0xA0}
            registers:
              from: manufacturer_data
              skip: 2
              lengths:
                - {tags: [0x10], length: 4}
                - {tags: 0x20, length: 1}
                - {tags: [0x70, 0x7F], length: 1, per_low_nibble: 2}
            fields:
              - {name: total, unit: l, slice: {register: 0x10, offset: 0, length: 4}}
              - {name: small, unit: m3, slice: {register: 0x20, offset: 0, length: 1}}
              - {name: beyond, unit: m3, slice: {register: 0x30, offset: 0, length: 1}}
              - {name: month, unit: m3, scale: 0.1, slice: {from: manufacturer_data, offset: 0, length: 1, plus_at: 1}}
            """;

    /** L, SND_NR, XYZ (0x633A), id 12345678, version 1, water 07, CI A0, then the payload. */
    private static byte[] telegram(String payload) {
        return TestFrames.withL(Hex.bytes("44 3A63 78563412 01 07 A0 " + payload));
    }

    private static DriverSet set(String text) {
        List<ConfigError> errors = new ArrayList<>();
        DriverFile d = DriverFile.parse("xyz.yaml", text, errors);
        assertEquals(List.of(), errors);
        return new DriverSetForTest(d).set;
    }

    @Test
    void slices_decodeEachEncoding_intoTheReadingModel() throws Exception {
        // flags 01 | BCD 00123456 l | BE 0190 = 400 (4.00 m3) | int -2, +3 | int16 -125 (-12.5 °C) | u12: low 34, high nibble 5 of 0x5A
        byte[] f = telegram("01 56 34 12 00 01 90 FE FF 03 00 83 FF 34 5A");
        WmbusTelegram t = WmbusDecoder.decode(f, KeyLookup.none(), null, set(XYZ), null);
        assertEquals("xyz-test", t.driver());
        Map<String, DriverValue> v = t.driverValues().stream().collect(Collectors.toMap(DriverValue::name, x -> x));
        assertEquals(0, new BigDecimal("123.456").compareTo(v.get("total").value()), "BCD litres in m3");
        assertEquals(Unit.M3, v.get("total").unit());
        assertEquals(Quantity.VOLUME, v.get("total").quantity());
        assertEquals(0, new BigDecimal("4").compareTo(v.get("previous").value()));
        assertEquals(1, v.get("previous").storage());
        assertEquals(0, new BigDecimal("-0.002").compareTo(v.get("delta_1").value()));
        assertEquals(0, new BigDecimal("0.003").compareTo(v.get("delta_2").value()));
        assertEquals(3, v.get("delta_2").storage(), "repeat counts the storage up");
        assertEquals(0, new BigDecimal("-12.5").compareTo(v.get("temperature").value()));
        assertEquals(Unit.CELSIUS, v.get("temperature").unit());
        assertEquals(0, new BigDecimal(0x534).compareTo(v.get("packed").value()));
        assertEquals("LEAK", v.get("leak").text());
        assertEquals(0, new BigDecimal("5.5").compareTo(v.get("sum").value()), "formula on the field's own unit");
        assertEquals(0, new BigDecimal("5.5").compareTo(v.get("chain").value()), "(4 + 1.5) × 2 − 5.5: left to right");
        assertFalse(v.containsKey("only_when_flagged"), "when: the flag bit is not set");
        // readings: every numeric value with a quantity, same model as the generic records
        List<Reading> r = new WmbusReadingMapper(ZoneOffset.UTC).toReadings(t, Instant.EPOCH, null);
        assertTrue(r.stream().anyMatch(x -> x.quantity() == Quantity.VOLUME && x.storage() == 1 && x.value().compareTo(new BigDecimal("4")) == 0));
        assertTrue(r.stream().noneMatch(x -> x.value() == null));
    }

    @Test
    void invalidMarkerAndShortPayload_giveNoValue_neverAGuess() throws Exception {
        byte[] f = telegram("80 56 34 12 00 01 90 FE FF 03 00 00 80");
        Map<String, DriverValue> v = WmbusDecoder.decode(f, KeyLookup.none(), null, set(XYZ), null).driverValues().stream()
                .collect(Collectors.toMap(DriverValue::name, x -> x));
        assertFalse(v.containsKey("temperature"), "8000 marks no value");
        assertFalse(v.containsKey("packed"), "the payload ends before it");
        assertEquals(0, new BigDecimal("86").compareTo(v.get("only_when_flagged").value()), "0x56 read as uint when the flag is set");
        assertEquals("OK", v.get("leak").text());
        // a BCD slice with a nibble above 9 is no number
        byte[] bad = telegram("00 5A 34 12 00");
        assertTrue(WmbusDecoder.decode(bad, KeyLookup.none(), null, set(XYZ), null).driverValues().stream().noneMatch(x -> x.name().equals("total")));
    }

    /**
     * Where register {@code tag}'s data starts, by a walk for that one tag (as each field walked the chain
     * before the walk was done once per telegram): the reference {@link DriverFile.Registers#starts} must agree with.
     */
    private static int walkForOneTag(DriverFile.Registers r, byte[] b, int from, int to, int mfrFrom, int tag) {
        int i = (r.manufacturerData() ? mfrFrom : from);
        if (i < 0) return -1;
        i += r.skip();
        while (i < to && r.lengths()[b[i] & 0xFF] >= 0) {
            if ((b[i] & 0xFF) == tag) return i + 1;
            i += 1 + r.lengths()[b[i] & 0xFF];
        }
        return -1;
    }

    /** Asserts that one walk of {@code b} gives, for every tag, what a walk for that tag alone gives. */
    private static void assertOneWalkAnswersEveryTag(DriverFile.Registers r, byte[] b, int from, int to, int mfrFrom) {
        int[] starts = r.starts(b, from, to, mfrFrom);
        for (int tag = 0; tag < 256; tag++) {
            assertEquals(walkForOneTag(r, b, from, to, mfrFrom, tag), starts[tag], "tag " + tag + " in " + HexFormat.of().formatHex(b));
        }
    }

    @Test
    void registers_walkedOncePerTelegram_giveEveryTagWhereItsOwnWalkFindsIt() {
        String text = REGISTERS_FILE.replace("from: manufacturer_data", "from: payload");
        for (String file : List.of(REGISTERS_FILE, text)) {
            List<ConfigError> errors = new ArrayList<>();
            DriverFile.Registers r = DriverFile.parse("r.yaml", file, errors).registers();
            assertEquals(List.of(), errors);
            byte[] fixture = Hex.bytes("05 07 72 AA BB CC DD EE 10 D2 04 00 00 20 09 99 30 01");
            assertOneWalkAnswersEveryTag(r, fixture, 0, fixture.length, 0);
            assertOneWalkAnswersEveryTag(r, fixture, 0, 5, 0); // cut inside the first register
            assertOneWalkAnswersEveryTag(r, fixture, 0, fixture.length, -1); // no manufacturer data
            Random random = new Random(16);
            for (int n = 0; n < 2000; n++) { // registers of the known tags mostly, so the walks run long
                byte[] b = new byte[random.nextInt(40)];
                for (int i = 0; i < b.length; i++) b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : new int[] {0x10, 0x20, 0x72, 0x7F}[random.nextInt(4)]);
                int from = b.length == 0 ? 0 : random.nextInt(b.length);
                assertOneWalkAnswersEveryTag(r, b, from, b.length, random.nextInt(3) == 0 ? -1 : from);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void apator162_onTheCorpusTelegrams_itsRegisterValueIsWhereAWalkForItsTagFindsIt() throws Exception {
        DriverFile apator = DriverSet.builtin().drivers().stream().filter(d -> d.name().equals("apator-162")).findFirst().orElseThrow();
        DriverFile.Registers r = apator.registers();
        int telegrams = 0, totals = 0;
        for (String line : Files.readAllLines(TestData.folder("wmbusmeters").resolve("dev.jsonl"))) {
            if (!line.contains("\"apator162\"")) continue;
            for (String hex : (List<String>) ((Map<String, Object>) MiniJson.parse(line)).get("telegrams")) {
                WmbusTelegram t = WmbusDecoder.decode(Hex.bytes(hex), KeyLookup.none(), null);
                if (!"apator-162".equals(t.driver())) continue;
                telegrams++;
                byte[] mfr = Hex.bytes(t.manufacturerData()); // the registers' bytes: a walk from 0 is the walk in the telegram
                assertOneWalkAnswersEveryTag(r, mfr, 0, mfr.length, 0);
                int at = walkForOneTag(r, mfr, 0, mfr.length, 0, 0x10);
                DriverValue total = t.driverValues().stream().filter(v -> v.name().equals("total")).findFirst().orElse(null);
                if (at < 0 || at + 4 > mfr.length) {
                    assertNull(total, hex);
                    continue;
                }
                long litres = (mfr[at] & 0xFFL) | (mfr[at + 1] & 0xFFL) << 8 | (mfr[at + 2] & 0xFFL) << 16 | (mfr[at + 3] & 0xFFL) << 24;
                assertNotNull(total, hex);
                assertEquals(0, BigDecimal.valueOf(litres, 3).compareTo(total.value()), hex + ": " + total.value() + " m3");
                totals++;
            }
        }
        assertTrue(telegrams > 10 && totals > 10, telegrams + " Apator 16-2 telegrams, " + totals + " with register 10");
    }

    @Test
    void registers_areWalkedByTag_untilAnUnknownTag_andPlusAtAddsAValuesTwoParts() throws Exception {
        String text = REGISTERS_FILE;
        // header 05 07 | tag 72: 1 + 2×2 bytes | tag 10: 1234 l | tag 20: 9 | tag 99 unknown: the walk ends | tag 30 not reached
        byte[] f = telegram("05 07 72 AA BB CC DD EE 10 D2 04 00 00 20 09 99 30 01");
        Map<String, DriverValue> v = WmbusDecoder.decode(f, KeyLookup.none(), null, set(text), null).driverValues().stream()
                .collect(Collectors.toMap(DriverValue::name, x -> x));
        assertEquals(0, new BigDecimal("1.234").compareTo(v.get("total").value()), "register 10 found after a 72 of 5 bytes");
        assertEquals(0, new BigDecimal("9").compareTo(v.get("small").value()));
        assertFalse(v.containsKey("beyond"), "an unknown tag ends the walk: no guess past it");
        assertEquals(0, new BigDecimal("1.2").compareTo(v.get("month").value()), "(5 + 7) × 0.1");
        // a register cut short by the end of the telegram gives no value
        Map<String, DriverValue> cut = WmbusDecoder.decode(telegram("05 07 10 D2 04"), KeyLookup.none(), null, set(text), null).driverValues().stream()
                .collect(Collectors.toMap(DriverValue::name, x -> x));
        assertFalse(cut.containsKey("total"));

        List<String> got = loadErrors("r.yaml", """
                driver: r
                detect:
                  - {manufacturer: XYZ}
                fields:
                  - {name: a, unit: m3, slice: {register: 0x10, offset: 0, length: 4}}
                  - {name: b, unit: m3, slice: {offset: 0, length: 1, plus_at: 0}}
                """);
        assertTrue(got.stream().anyMatch(e -> e.startsWith("r.yaml:5: fields[0].slice.register: the file needs registers:")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("r.yaml:6: fields[1].slice.plus_at: must not be 0")), got.toString());
    }

    @Test
    void u12WithPlusAt_aPartPastTheTelegram_isATypedTruncation_neverAnException_theValuesBeforeStand() throws Exception {
        DriverSet d = set("""
                driver: xyz-u12-plus
                detect:
                  - {manufacturer: XYZ, ci: 0xA0}
                fields:
                  - {name: first, unit: m3, slice: {from: manufacturer_data, offset: 0, length: 1}}
                  - {name: halves, unit: m3, slice: {from: manufacturer_data, offset: 0, length: 1, encoding: u12, nibble_at: 1, nibble: high, plus_at: 2}}
                """);
        // payload 10 20 30: the value at 0 with its nibble at 1, its second part at 2, whose nibble (3) is past the end
        WmbusTelegram t = WmbusDecoder.decode(telegram("10 20 30"), KeyLookup.none(), null, d, null);
        assertEquals(List.of("first"), t.driverValues().stream().map(DriverValue::name).toList());
        assertNotNull(t.undecoded());
        assertEquals(io.meterlink.core.api.driver.DecodeException.Kind.TRUNCATED, t.undecoded().kind());
        assertTrue(t.undecoded().reason().contains("halves"), t.undecoded().reason());
        // one byte more: both parts are there, 0x210 + 0x430 (each low byte with the high nibble of the byte after it)
        WmbusTelegram whole = WmbusDecoder.decode(telegram("10 20 30 40"), KeyLookup.none(), null, d, null);
        assertNull(whole.undecoded());
        assertEquals(0, new BigDecimal(0x210 + 0x430).compareTo(
                whole.driverValues().stream().filter(v -> v.name().equals("halves")).findFirst().orElseThrow().value()));
    }

    @Test
    void aPartPastTheTelegram_cutsOnlyItsOwnField_laterFieldsStand_theFirstCutIsCounted() throws Exception {
        DriverSet d = set("""
                driver: xyz-two-halves
                detect:
                  - {manufacturer: XYZ, ci: 0xA0}
                fields:
                  - {name: odd, unit: m3, slice: {from: manufacturer_data, offset: 0, length: 1, plus_at: 3}, repeat: {count: 3, step: 1}}
                  - {name: nibbled, unit: m3, slice: {from: manufacturer_data, offset: 3, length: 1, encoding: u12, nibble_at: 1, nibble: low}}
                  - {name: even, unit: m3, slice: {from: manufacturer_data, offset: 2, length: 1}}
                  - {name: total, unit: m3, formula: odd_1 + even}
                """);
        // payload 01 02 03 04: odd_1 = 01 + 04; odd_2's second part (at 4) is past the end, and so odd_3's;
        // nibbled's nibble (at 4) too; even = 03 and total are read all the same
        WmbusTelegram t = WmbusDecoder.decode(telegram("01 02 03 04"), KeyLookup.none(), null, d, null);
        Map<String, DriverValue> v = t.driverValues().stream().collect(Collectors.toMap(DriverValue::name, x -> x));
        assertEquals(List.of("odd_1", "even", "total"), t.driverValues().stream().map(DriverValue::name).toList());
        assertEquals(0, new BigDecimal(5).compareTo(v.get("odd_1").value()));
        assertEquals(0, new BigDecimal(3).compareTo(v.get("even").value()));
        assertEquals(0, new BigDecimal(8).compareTo(v.get("total").value()));
        assertNotNull(t.undecoded(), "the cut is counted");
        assertEquals(io.meterlink.core.api.driver.DecodeException.Kind.TRUNCATED, t.undecoded().kind());
        assertTrue(t.undecoded().reason().contains("odd_2"), "the first cut is the one named: " + t.undecoded().reason());
    }

    @Test
    void aSliceThatCanNeverBeRead_isRefusedAtLoad() {
        List<String> got = loadErrors("s.yaml", """
                driver: s
                detect:
                  - {manufacturer: XYZ}
                fields:
                  - {name: a, unit: m3, slice: {offset: 0, length: 1, encoding: u12, nibble_at: -1, nibble: low}}
                  - {name: b, unit: m3, slice: {offset: 1, length: 2, plus_at: -3}}
                  - {name: c, unit: m3, slice: {from: manufacturer_data, offset: 4090, length: 8}}
                  - {name: d, unit: m3, slice: {from: manufacturer_data, offset: 0, length: 1, plus_at: -3}}
                """);
        assertTrue(got.stream().anyMatch(e -> e.startsWith("s.yaml:5: fields[0].slice: reads 1 byte(s) before the start of the payload")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("s.yaml:6: fields[1].slice: reads 2 byte(s) before the start of the payload")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("s.yaml:7: fields[2].slice: reads up to byte 4098")), got.toString());
        assertEquals(3, got.size(), "manufacturer data may be read backwards into the payload: " + got);
    }

    @Test
    void aBadFormula_isRefusedAtLoad_namingFileLineAndKey() {
        List<String> got = loadErrors("f.yaml", """
                driver: f
                detect:
                  - {manufacturer: XYZ}
                fields:
                  - {name: a, unit: m3, slice: {offset: 0, length: 1}}
                  - {name: b, unit: m3, formula: a + 1.2.3}
                  - {name: c, unit: m3, formula: a * 2x}
                  - {name: d, unit: m3, formula: a + later}
                  - {name: e, unit: m3, formula: d + 1}
                  - {name: later, unit: m3, slice: {offset: 1, length: 1}}
                  - {name: flags, slice: {offset: 2, length: 1}, lookup: {bits: {0x01: LEAK}}}
                  - {name: g, unit: m3, formula: flags + a}
                """);
        assertTrue(got.contains("f.yaml:6: fields[1].formula: '1.2.3' is not a number"), got.toString());
        assertTrue(got.contains("f.yaml:7: fields[2].formula: '2x' is not a number"), got.toString());
        assertTrue(got.contains("f.yaml:8: fields[3].formula: 'later' is no numeric field defined above this one"), got.toString());
        assertTrue(got.contains("f.yaml:9: fields[4].formula: 'd' is no numeric field defined above this one"), got.toString());
        assertTrue(got.contains("f.yaml:12: fields[7].formula: 'flags' is no numeric field defined above this one"), got.toString());
        assertEquals(5, got.size(), got.toString());
    }

    /** The errors of a driver file that must not load, as {@code file:line: key: message}. */
    private static List<String> loadErrors(String file, String text) {
        List<ConfigError> errors = new ArrayList<>();
        assertNull(DriverFile.parse(file, text, errors));
        return errors.stream().map(ConfigError::toString).toList();
    }

    @Test
    void otherMeters_getNoDriver() throws Exception {
        WmbusTelegram t = WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), null, set(XYZ), null);
        assertNull(t.driver());
        assertEquals(List.of(), t.driverValues());
    }

    @Test
    void errors_nameFileLineAndKey() {
        List<ConfigError> errors = new ArrayList<>();
        String text = """
                driver: Bad Name
                detect:
                  - {manufacturer: xyz}
                fields:
                  - {name: a, unit: furlong, slice: {offset: 1, length: 2}}
                  - name: b
                    unit: m3
                    slice: {offset: 1, lenght: 2}
                  - {name: a, unit: m3, formula: "a ^ b"}
                  - {name: c, unit: m3}
                colour: blue
                """;
        assertNull(DriverFile.parse("x.yaml", text, errors));
        List<String> got = errors.stream().map(ConfigError::toString).toList();
        assertTrue(got.contains("x.yaml:1: driver: must be 1 to 64 lower-case letters, digits, '_', '.' or '-'"), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:3: detect[0].manufacturer: must be a three-letter code")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:5: fields[0].unit: unknown unit 'furlong'")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:8: fields[1].slice.lenght: unknown key")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:9: fields[2].name: field 'a' is defined twice")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:9: fields[2].formula: must be 'a op b'")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:10: fields[3]: needs exactly one of record, slice or formula")), got.toString());
        assertTrue(got.stream().anyMatch(e -> e.startsWith("x.yaml:11: colour: unknown key")), got.toString());
        errors.clear();
        assertNull(DriverFile.parse("y.yaml", "driver: [unclosed", errors));
        assertEquals(1, errors.get(0).line());
        assertEquals("(yaml)", errors.get(0).key());
    }

    @Test
    void driverDir_comesBeforeTheBuiltInSet_andItsErrorsAreCollected(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("xyz.yaml"), XYZ);
        Files.writeString(dir.resolve("broken.yml"), "driver: broken\ndetect: []\nfields: []\n");
        List<ConfigError> errors = new ArrayList<>();
        DriverSet s = DriverSet.load(dir, errors);
        assertEquals(List.of("broken.yml:2: detect: required: a list of rules (manufacturer, version, device_type, ci)",
                "broken.yml:3: fields: required: a list of fields"), errors.stream().map(e -> Path.of(e.file()).getFileName() + ":" + e.line() + ": "
                + e.key() + ": " + e.message()).toList());
        assertEquals("xyz-test", s.match("XYZ", 1, 7, 0xA0).name());
        assertTrue(s.drivers().size() > 1, "the built-in drivers are still there");
        errors.clear();
        DriverSet.load(dir.resolve("absent"), errors);
        assertEquals("(dir)", errors.get(0).key());
    }

    @Test
    void builtInSet_loads_andEveryDriverDetectsSomething() {
        DriverSet b = DriverSet.builtin();
        assertTrue(b.drivers().size() >= 10, "built-in drivers: " + b.drivers().size());
        for (DriverFile d : b.drivers()) assertTrue(d.file().startsWith("builtin:"), d.file());
    }

    /** Builds a set of one driver file (the built-in set is not consulted). */
    private static final class DriverSetForTest {
        final DriverSet set;

        DriverSetForTest(DriverFile d) { set = DriverSet.of(List.of(d)); }
    }
}
