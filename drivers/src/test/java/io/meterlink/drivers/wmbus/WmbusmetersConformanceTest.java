package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.mbus.MbusValue;
import io.meterlink.drivers.mbus.VifMeaning;
import io.meterlink.drivers.testing.Hex;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance against wmbusmeters' driver test cases ({@code <testdata>/wmbusmeters/dev.jsonl}, GPL,
 * read at test time only): the share of expected numeric values (fields whose name ends in a unit,
 * such as {@code total_m3}) that one of our records reproduces, per driver and overall. Wired frames
 * in the set are left to the wired decoder's tests.
 */
class WmbusmetersConformanceTest {
    /** Field suffix → our canonical unit and the factor from it to the suffix's unit. */
    private static final Map<String, Object[]> SUFFIX = Map.ofEntries(
            Map.entry("m3", new Object[] {Unit.M3, "1"}), Map.entry("l", new Object[] {Unit.M3, "1000"}),
            Map.entry("kwh", new Object[] {Unit.WH, "0.001"}), Map.entry("wh", new Object[] {Unit.WH, "1"}),
            Map.entry("mwh", new Object[] {Unit.WH, "0.000001"}), Map.entry("gj", new Object[] {Unit.J, "0.000000001"}),
            Map.entry("mj", new Object[] {Unit.J, "0.000001"}), Map.entry("kw", new Object[] {Unit.W, "0.001"}),
            Map.entry("w", new Object[] {Unit.W, "1"}), Map.entry("m3h", new Object[] {Unit.M3_PER_H, "1"}),
            Map.entry("lh", new Object[] {Unit.M3_PER_H, "1000"}), Map.entry("c", new Object[] {Unit.CELSIUS, "1"}),
            Map.entry("k", new Object[] {Unit.KELVIN, "1"}), Map.entry("bar", new Object[] {Unit.BAR, "1"}),
            Map.entry("v", new Object[] {Unit.V, "1"}), Map.entry("a", new Object[] {Unit.A, "1"}),
            Map.entry("hz", new Object[] {Unit.HZ, "1"}), Map.entry("hca", new Object[] {Unit.HCA, "1"}),
            Map.entry("h", new Object[] {Unit.S, "0.000277777777777777777777778"}), Map.entry("s", new Object[] {Unit.S, "1"}),
            Map.entry("d", new Object[] {Unit.S, "0.0000115740740740740740740741"}), Map.entry("kg", new Object[] {Unit.KG, "1"}),
            Map.entry("rh", new Object[] {Unit.PERCENT, "1"}), Map.entry("pct", new Object[] {Unit.PERCENT, "1"}));

    @Test
    @SuppressWarnings("unchecked")
    void devSet_shareOfExpectedNumericValuesReproduced() throws Exception {
        Path file = TestData.folder("wmbusmeters").resolve("dev.jsonl");
        Map<String, int[]> perDriver = new TreeMap<>();
        int wired = 0, refused = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            Map<String, Object> c = (Map<String, Object>) MiniJson.parse(line);
            List<String> telegrams = (List<String>) c.get("telegrams");
            String last = telegrams.get(telegrams.size() - 1);
            if (last.startsWith("68")) {
                wired++;
                continue;
            }
            String key = (String) c.get("key");
            KeyLookup keys = key != null && key.length() == 32 ? KeyLookup.always(Secret.of(key)) : KeyLookup.none();
            int[] score = perDriver.computeIfAbsent((String) c.get("driver"), d -> new int[2]);
            List<MbusRecord> records = List.of();
            try {
                records = WmbusDecoder.decode(Hex.bytes(last), keys).records();
            } catch (DecodeException e) {
                refused++;
                reasons.merge(e.kind() + " " + e.getMessage().replaceAll("[0-9A-F]{2}( |$)", "xx$1").replaceAll("[0-9]+", "n"), 1, Integer::sum);
            }
            for (Map.Entry<String, Object> field : ((Map<String, Object>) c.get("expected")).entrySet()) {
                if (!(field.getValue() instanceof BigDecimal want)) continue;
                String name = field.getKey();
                int us = name.lastIndexOf('_');
                Object[] unit = us < 0 ? null : SUFFIX.get(name.substring(us + 1));
                if (unit == null) continue;
                score[1]++;
                if (reproduced(records, (Unit) unit[0], new BigDecimal((String) unit[1]), want)) score[0]++;
            }
        }
        int hit = 0, all = 0;
        StringBuilder out = new StringBuilder("wmbusmeters dev.jsonl conformance (numeric values with a unit suffix):\n");
        for (Map.Entry<String, int[]> e : perDriver.entrySet()) {
            hit += e.getValue()[0];
            all += e.getValue()[1];
            if (e.getValue()[1] > 0) out.append(String.format("  %-14s %3d/%3d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        double share = all == 0 ? 0 : 100.0 * hit / all;
        out.append(String.format("  OVERALL %d/%d = %.1f %% (wireless cases; %d wired cases left to the wired decoder; %d telegrams refused)%n",
                hit, all, share, wired, refused));
        reasons.forEach((r, n) -> out.append(String.format("  refused %3d× %s%n", n, r)));
        System.out.print(out);
        assertTrue(all > 300, "expected numeric fields found: " + all);
        assertTrue(share >= 40.0, "conformance fell to " + share + " %");
    }

    private static boolean reproduced(List<MbusRecord> records, Unit unit, BigDecimal factor, BigDecimal want) {
        for (MbusRecord r : records) {
            if (r.meaning().kind() != VifMeaning.Kind.NUMERIC || r.meaning().unit() != unit) continue;
            if (!(r.value() instanceof MbusValue.Numeric n)) continue;
            BigDecimal got = n.value().multiply(factor, MathContext.DECIMAL64);
            BigDecimal tol = want.abs().multiply(new BigDecimal("0.000001")).max(new BigDecimal("0.0005"));
            if (got.subtract(want).abs().compareTo(tol) <= 0) return true;
        }
        return false;
    }
}
