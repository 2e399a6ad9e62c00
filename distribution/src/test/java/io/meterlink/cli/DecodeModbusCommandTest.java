package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code meterlink decode --protocol modbus --profile …} in-process: a register dump (the worked
 * examples of shared/testdata/modbus/README.md) through a shipped profile and through a profile
 * file; bad lines give error objects and decoding goes on; a missing or broken profile is a usage error.
 */
class DecodeModbusCommandTest {
    @TempDir Path dir;
    private final CliCapture cli = new CliCapture();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int run(String... args) { return cli.run(args); }

    private List<JsonNode> lines() throws Exception { return cli.lines(); }

    private static JsonNode record(JsonNode frame, String name) {
        for (JsonNode r : frame.get("records")) if (name.equals(r.path("name").asText())) return r;
        return null;
    }

    @Test
    void shippedProfile_dumpOfTwoMeters_givesTwoObjects_andErrorsForBadLines() throws Exception {
        Path dump = dir.resolve("dump.txt");
        Files.writeString(dump, """
                # SDM630 at unit 1: voltage L1 (43 6B 00 00 = 235.0 V), import 1234.5 kWh
                unit 1
                4 0x0000 436B 0000
                4 0x0048 449A 5000
                4 0x0000 XYZW

                # a second dump, unit 2
                unit 2
                4 72 0000 0000
                """);
        assertEquals(0, run("decode", "--protocol", "modbus", "--profile", "eastron-sdm630", "--input", dump.toString()), err::toString);
        List<JsonNode> got = lines();
        assertEquals(3, got.size(), out::toString);
        assertTrue(got.get(0).get("error").asText().startsWith("syntax: "), got.get(0).toString());
        JsonNode first = got.get(1);
        assertEquals(1, first.get("unit").asInt(), first.toString());
        assertEquals(0, new java.math.BigDecimal("235").compareTo(record(first, "voltage_l1").get("value").decimalValue()));
        assertEquals("0x0000", record(first, "voltage_l1").get("register").asText());
        assertEquals(0, new java.math.BigDecimal("1234500").compareTo(record(first, "energy_import").get("value").decimalValue()));
        assertEquals("Wh", record(first, "energy_import").get("unit").asText());
        assertEquals(2, got.get(2).get("unit").asInt());
        assertEquals(0, record(got.get(2), "energy_import").get("value").decimalValue().signum());
    }

    @Test
    void profileFile_decodesScaledIntegers() throws Exception {
        Path profile = dir.resolve("my-abb.yaml");
        Files.writeString(profile, """
                manufacturer: ABB
                model: B23
                defaults: {function: 3, not_available: all_ones}
                values:
                  - {name: energy_import, register: 0x5000, type: u64, scale: -2, quantity: energy, unit: kWh}
                """);
        Path dump = dir.resolve("abb.txt");
        Files.writeString(dump, "3 0x5000 0000 0000 0001 E240\n");
        assertEquals(0, run("decode", "--protocol", "modbus", "--profile", profile.toString(), "--input", dump.toString()), err::toString);
        JsonNode f = lines().get(0);
        assertEquals(0, new java.math.BigDecimal("1234560").compareTo(record(f, "energy_import").get("value").decimalValue()), f.toString());
    }

    @Test
    void missingOrBrokenProfile_isAUsageError_namingFileLineKey() throws Exception {
        Path dump = dir.resolve("d.txt");
        Files.writeString(dump, "4 0 0000\n");
        assertEquals(2, run("decode", "--protocol", "modbus", "--input", dump.toString()));
        assertTrue(err.toString().contains("--profile"), err::toString);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "manufacturer: X\nmodel: Y\nvalues:\n  - {name: a, register: 1, type: q7, quantity: energy, unit: kWh}\n");
        assertEquals(2, run("decode", "--protocol", "modbus", "--profile", bad.toString(), "--input", dump.toString()));
        assertTrue(err.toString().contains(bad + ":4: values[0].type: unknown type"), err::toString);
    }
}
