package io.meterlink.drivers.modbus;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModbusProfileTest {
    @TempDir
    Path dir;

    @Test
    void shippedProfiles_allLoad_andCoverTheNamedMeters() {
        ProfileCatalog c = ProfileCatalog.shipped();
        assertTrue(c.errors().isEmpty(), c.errors().toString());
        for (String name : List.of("eastron-sdm120", "eastron-sdm630", "abb-b21", "abb-b23", "abb-b24", "carlo-gavazzi-em24",
                "carlo-gavazzi-em340", "janitza-umg604", "schneider-iem3155", "finder-7m38", "itron-cf-echo-ii")) {
            assertNotNull(c.find(name), name);
        }
    }

    @Test
    void sdm630_coalescesIntoTwoRequests_withinItsBlockSize() {
        MeterProfile p = ProfileCatalog.shipped().find("eastron-sdm630");
        List<ReadBlock> blocks = p.blocks();
        assertEquals(2, blocks.size()); // 0x0000..0x004F and 0x0156..0x017D
        for (ReadBlock b : blocks) assertTrue(b.count() <= p.maxRegisters());
        assertEquals(p.values().size(), blocks.stream().mapToInt(b -> b.values().size()).sum());
        assertEquals(0, blocks.get(0).start());
        assertEquals(80, blocks.get(0).count()); // 0x0000 .. 0x004F
    }

    @Test
    void blocks_splitAtGapAndSize() throws Exception {
        Path f = write("t.yaml", """
                manufacturer: TST
                model: T
                max_block: 4
                max_gap: 1
                defaults: {function: 3, type: u16}
                values:
                  - {name: a, register: 0, quantity: count}
                  - {name: b, register: 2, quantity: count, subunit: 1}
                  - {name: c, register: 4, quantity: count, subunit: 2}
                  - {name: d, register: 10, quantity: count, subunit: 3}
                  - {name: e, register: 1, function: 4, quantity: count, subunit: 4}
                """);
        MeterProfile p = ProfileLoader.load(f).profile();
        List<ReadBlock> b = p.blocks();
        assertEquals(List.of("3:0+3", "3:4+1", "3:10+1", "4:1+1"),
                b.stream().map(x -> x.function() + ":" + x.start() + "+" + x.count()).toList());
    }

    @Test
    void readmeWorkedExamples_decode() throws Exception {
        // SDM630 FC04 0x0000: 43 6B 00 00 = 235.0 V (float32 high word first)
        assertEquals(0, new BigDecimal("235").compareTo(value("eastron-sdm630", "4 0x0000 436B 0000", "voltage_l1")));
        // ABB FC03 0x5B00: 00 00 09 2E = 2350 / 10 = 235.0 V
        assertEquals(0, new BigDecimal("235").compareTo(value("abb-b23", "3 0x5B00 0000 092E", "voltage_l1")));
        // ABB FC03 0x5000: uint64 123456 / 100 = 1234.56 kWh = 1234560 Wh
        assertEquals(0, new BigDecimal("1234560").compareTo(value("abb-b23", "3 0x5000 0000 0000 0001 E240", "energy_import")));
        // ABB all-FF: not available, no record
        assertNull(value("abb-b23", "3 0x5B00 FFFF FFFF", "voltage_l1"));
    }

    @Test
    void wordAndByteOrders_andBcd() throws Exception {
        Path f = write("orders.yaml", """
                manufacturer: TST
                model: T
                defaults: {function: 3}
                values:
                  - {name: lw, register: 0, type: u32, word_order: low_first, quantity: count}
                  - {name: lb, register: 2, type: u16, byte_order: little, quantity: count, subunit: 1}
                  - {name: bcd, register: 3, type: bcd32, quantity: count, subunit: 2}
                  - {name: neg, register: 5, type: s16, factor: 0.5, quantity: count, subunit: 3}
                """);
        MeterProfile p = ProfileLoader.load(f).profile();
        List<DecodeException> errors = new ArrayList<>();
        DecodedFrame fr = ModbusFrameDecoder.decode(p, "3 0 0002 0001 3412 1234 5678 FFFE\n", errors).get(0);
        assertTrue(errors.isEmpty(), errors.toString());
        List<DecodedRecord> r = fr.records();
        assertEquals(new BigDecimal(0x00010002), r.get(0).value());
        assertEquals(new BigDecimal(0x1234), r.get(1).value());
        assertEquals(new BigDecimal(12345678), r.get(2).value());
        assertEquals(0, new BigDecimal("-1").compareTo(r.get(3).value()));
        // a bad BCD digit is a typed error; the other values still decode
        errors.clear();
        DecodedFrame bad = ModbusFrameDecoder.decode(p, "3 0 0002 0001 3412 12A4 5678 FFFE\n", errors).get(0);
        assertEquals(1, errors.size());
        assertEquals(DecodeException.Kind.VALUE_RANGE, errors.get(0).kind());
        assertEquals(3, bad.records().size());
    }

    @Test
    void badProfile_reportsFileLineKey_forEveryProblem() throws Exception {
        Path f = write("broken.yaml", """
                manufacturer: TST
                model: T
                values:
                  - {name: a, register: 0x10000, type: u16, quantity: energy, unit: kWh}
                  - name: b
                    register: 3
                    type: u17
                    quantity: energy
                    unit: kWh
                  - {name: c, register: 4, type: u16, quantity: voltage, unit: kWh}
                  - {name: d, register: 5, type: u16, quantity: energy, unit: kWh, colour: red}
                """);
        ProfileLoader.Result r = ProfileLoader.load(f);
        assertFalse(r.ok());
        List<String> text = r.errors().stream().map(ConfigError::toString).toList();
        assertTrue(text.stream().anyMatch(s -> s.startsWith(f + ":4: values[0].register: ")), text.toString());
        assertTrue(text.stream().anyMatch(s -> s.startsWith(f + ":7: values[1].type: unknown type")), text.toString());
        assertTrue(text.stream().anyMatch(s -> s.startsWith(f + ":10: values[2].unit: ")), text.toString());
        assertTrue(text.stream().anyMatch(s -> s.startsWith(f + ":11: values[3].colour: unknown key")), text.toString());
    }

    @Test
    void profileDirectory_addsAUserProfile_andReportsBrokenOnes() throws Exception {
        write("my-meter.yaml", """
                manufacturer: MYM
                model: M1
                values:
                  - {name: e, register: 0, type: u32, function: 4, quantity: energy, unit: Wh}
                """);
        write("bad.yaml", "manufacturer: [\n");
        ProfileCatalog c = ProfileCatalog.withDirectory(dir);
        assertNotNull(c.find("my-meter"));
        assertNotNull(c.find("eastron-sdm120"));
        assertEquals(1, c.errors().size(), c.errors().toString());
        assertTrue(c.errors().get(0).file().endsWith("bad.yaml"));
    }

    @Test
    void configValidate_reportsABrokenUserProfile_withItsFileLineKey() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        Path bad = profiles.resolve("mine.yaml");
        Files.writeString(bad, "manufacturer: MYM\nmodel: M\nvalues:\n  - {name: e, register: 0, type: u17, function: 3, quantity: energy, unit: Wh}\n");
        Path gw = write("gw.yaml", """
                gateway_id: gw-1
                sources:
                  - name: sub
                    driver: modbus
                    port: /dev/null
                    profile_dir: profiles
                    meters:
                      - {unit: 1, profile: mine}
                """);
        io.meterlink.core.api.config.ConfigException e = assertThrows(io.meterlink.core.api.config.ConfigException.class,
                () -> io.meterlink.core.config.ConfigLoader.load(gw));
        List<String> text = e.errors().stream().map(ConfigError::toString).toList();
        assertTrue(text.stream().anyMatch(t -> t.startsWith(gw + ":6: sources[0].profile_dir: " + bad + ":4: values[0].type: unknown type")), text.toString());
        assertTrue(text.stream().anyMatch(t -> t.startsWith(gw + ":8: sources[0].meters[0].profile: unknown profile 'mine'")), text.toString());
    }

    @Test
    void dump_syntaxErrors_areTyped_andDecodingGoesOn() {
        MeterProfile p = ProfileCatalog.shipped().find("eastron-sdm120");
        List<DecodeException> errors = new ArrayList<>();
        List<DecodedFrame> frames = ModbusFrameDecoder.decode(p, "unit 7\n4 0x0000 ZZZZ\n4 0x0000 436B\nfoo\n4 0x0000 436B 0000\n\n", errors);
        assertEquals(2, errors.size(), errors.toString()); // ZZZZ and foo; a one-register line is fine
        assertTrue(errors.stream().allMatch(e -> e.kind() == DecodeException.Kind.SYNTAX));
        assertEquals(1, frames.size());
        assertEquals(7, frames.get(0).headerFact("unit"));
        assertEquals("voltage", frames.get(0).records().get(0).quantity());
    }

    private BigDecimal value(String profile, String dump, String name) {
        List<DecodeException> errors = new ArrayList<>();
        List<DecodedFrame> frames = ModbusFrameDecoder.decode(ProfileCatalog.shipped().find(profile), dump + "\n", errors);
        assertTrue(errors.isEmpty(), errors.toString());
        for (DecodedRecord r : frames.get(0).records()) if (name.equals(r.fact("name"))) return r.value();
        return null;
    }

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }
}
