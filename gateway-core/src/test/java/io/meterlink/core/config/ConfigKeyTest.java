package io.meterlink.core.config;

import io.meterlink.core.api.config.YamlFile;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.keys.BufferKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A declared key reads, refuses and writes its values as its declaration says. */
class ConfigKeyTest {
    private static final Path FILE = Path.of("k.yaml");
    private static final ConfigKey<Integer> PIN = ConfigKey.integer("level", null, 0, 27, "a level");

    private static YamlFile parse(String text) {
        return YamlFile.parse(FILE, text);
    }

    @Test
    void declaration_refusesAMissingDoc_aDefaultOutOfBounds_andAnUnknownChoiceDefault() {
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.integer("n", 5, 1, 4, "doc"));
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.integer("n", 1, 1, 4, " "));
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.choice("c", "x", List.of("a", "b"), "doc"));
        assertThrows(IllegalArgumentException.class, () -> BufferKeys.COMMIT_MAX_READINGS.withDefault(0));
    }

    @Test
    void aKeyWithoutDefault_isNullWhenAbsent_andNullWithAnErrorWhenOutOfBounds() {
        YamlFile absent = parse("other: 1\n");
        Settings s = absent.root();
        assertNull(s.get(PIN));
        assertEquals(List.of(), absent.errors());

        YamlFile bad = parse("a: 1\nlevel: 28\n");
        assertNull(bad.root().get(PIN));
        assertEquals(List.of(new ConfigError("k.yaml", 2, "level", "must be between 0 and 27 (got '28')")), bad.errors());
        assertEquals(7, parse("level: 7\n").root().get(PIN));
    }

    @Test
    void aCallersDefault_replacesTheDeclaredOne_butNotItsBounds() {
        assertEquals(9600, parse("x: 1\n").root().get(ConfigKey.integer("baud", 2400, 300, 9600, "speed"), 9600));
        YamlFile f = parse("baud: 100\n");
        assertEquals(9600, f.root().get(ConfigKey.integer("baud", 2400, 300, 9600, "speed"), 9600));
        assertTrue(f.errors().get(0).message().startsWith("must be between 300 and 9600"), f.errors()::toString);
    }

    @Test
    void aDecimal_isExact_andItsMinimumMayBeExclusive() {
        ConfigKey<java.math.BigDecimal> ppu = ConfigKey.decimal("ppu", null, java.math.BigDecimal.ZERO, true,
                new java.math.BigDecimal("1000"), "pulses per unit");
        assertEquals(new java.math.BigDecimal("0.1"), parse("ppu: 0.1\n").root().get(ppu), "exact, not a double");
        assertEquals("decimal, > 0, ≤ 1000", ppu.typeText());
        YamlFile zero = parse("ppu: 0\n");
        assertNull(zero.root().get(ppu));
        assertEquals(List.of(new ConfigError("k.yaml", 1, "ppu", "must be greater than 0 (got '0')")), zero.errors());
        YamlFile word = parse("ppu: ten\n");
        assertNull(word.root().get(ppu));
        assertTrue(word.errors().get(0).message().startsWith("expected a decimal number"), word.errors()::toString);
        ConfigKey<java.math.BigDecimal> start = ConfigKey.decimal("start", java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, false,
                java.math.BigDecimal.TEN, "start value");
        assertEquals(java.math.BigDecimal.ZERO, parse("start: 0\n").root().get(start), "an inclusive minimum is allowed");
        YamlFile over = parse("start: 10.5\n");
        assertNull(over.root().get(start));
        assertEquals("must be at most 10 (got '10.5')", over.errors().get(0).message());
        assertThrows(IllegalArgumentException.class, () -> ConfigKey.decimal("d", java.math.BigDecimal.ZERO, java.math.BigDecimal.ZERO, true,
                java.math.BigDecimal.ONE, "an excluded default"));
    }

    @Test
    void renamed_keepsTheBounds() {
        ConfigKey<Long> alias = BufferKeys.MAX_BYTES.renamed("buffer_max_bytes");
        YamlFile f = parse("buffer_max_bytes: 1KiB\n");
        assertEquals(BufferKeys.MAX_BYTES.defaultValue(), f.root().get(alias));
        assertEquals("buffer_max_bytes", f.errors().get(0).key());
        assertTrue(f.errors().get(0).message().startsWith("must be between 64KiB and 1TiB"), f.errors()::toString);
    }

    @Test
    void format_writesWhatReadAccepts() {
        YamlFile f = parse("backoff_min: " + UplinkKeys.BACKOFF_MIN.format(Duration.ofMillis(1500)) + "\nbatch_max_bytes: "
                + UplinkKeys.BATCH_MAX_BYTES.format(512L * 1024) + "\n");
        assertEquals(Duration.ofMillis(1500), f.root().get(UplinkKeys.BACKOFF_MIN));
        assertEquals(512L * 1024, f.root().get(UplinkKeys.BATCH_MAX_BYTES));
        assertEquals("`256KiB`", UplinkKeys.BATCH_MAX_BYTES.defaultText());
        assertEquals("size, 1KiB–64MiB", UplinkKeys.BATCH_MAX_BYTES.typeText());
    }

    @Test
    void nestedKeys_areReadFromTheirSection_byTheLastPartOfTheirName() {
        YamlFile f = parse("tls:\n  ca_file: /ca.pem\n");
        Settings tls = f.root().get(UplinkKeys.TLS);
        assertEquals("tls.ca_file", UplinkKeys.CA_FILE.name());
        assertEquals(Path.of("/ca.pem"), tls.get(UplinkKeys.CA_FILE).orElseThrow());
    }
}
