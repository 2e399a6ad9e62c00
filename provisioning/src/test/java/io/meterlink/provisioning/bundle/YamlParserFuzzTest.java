package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.provisioning.identity.TestCa;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz (jqwik, bounded tries, seconds in CI): the bundle parser and the configuration loader on
 * mutations of a valid bundle — cut, inserted YAML punctuation (anchors, aliases, tags, flow
 * collections, block scalars, comments), duplicated and swapped lines, replaced bytes. Each input
 * gives a parsed document or typed errors ({@code ConfigError}s, {@link ConfigException}); any other
 * exception fails. A bundle that passes its own checks is turned into a configuration and bound by
 * the same {@link ConfigLoader} as {@code meterlink run}.
 */
class YamlParserFuzzTest {
    private static final AtomicLong INPUTS = new AtomicLong();
    private static final AtomicLong PARSED_CLEAN = new AtomicLong();
    private static final AtomicLong CONFIGS_BOUND = new AtomicLong();
    private static final DriverRegistry DRIVERS = new DriverRegistry(List.of(new KeyedDriverFactory()));
    private static String seed;

    private static synchronized String seed() throws Exception {
        if (seed == null) seed = Bundles.withPassword(7, TestCa.create("fuzz-ca"));
        return seed;
    }

    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED, seed = "20261206")
    void mutatedBundle_givesADocumentOrTypedErrors(@ForAll("mutations") List<Mutation> mutations) throws Exception {
        String text = seed();
        for (Mutation m : mutations) text = m.apply(text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        INPUTS.incrementAndGet();
        BundleDocument doc = BundleDocument.parse("fuzz.yaml", bytes, Instant.now());
        doc.errors().forEach(e -> assertNotNull(e.message()));
        assertFalse(doc.errors().stream().anyMatch(e -> e.message().contains(Bundles.PASSWORD)),
                "no error quotes the broker password: " + doc.errors());
        if (!doc.errors().isEmpty()) return;
        PARSED_CLEAN.incrementAndGet();
        Path dir = Files.createTempDirectory("bundle-fuzz-");
        try {
            String yaml = doc.toConfigYaml("gw-0001", dir, dir.resolve("ca.pem"), dir.resolve("gw.pem"), dir.resolve("gw.key"));
            if (!doc.errors().isEmpty()) return;
            Path config = Files.writeString(dir.resolve("meterlink.yaml"), yaml);
            try {
                assertNotNull(new ConfigLoader(DRIVERS, List.of()).read(config));
                CONFIGS_BOUND.incrementAndGet();
            } catch (ConfigException e) {
                assertFalse(e.errors().isEmpty());
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterContainer
    static void report() {
        System.out.printf("YAML_FUZZ inputs=%d bundles_without_errors=%d configs_bound=%d%n",
                INPUTS.get(), PARSED_CLEAN.get(), CONFIGS_BOUND.get());
        assertTrue(INPUTS.get() > 0);
    }

    /** One edit of the text at a relative position (0..1). */
    record Mutation(int kind, double at, String insert, int length) {
        String apply(String t) {
            if (t.isEmpty()) return insert;
            int p = (int) (at * t.length());
            int end = Math.min(t.length(), p + length);
            switch (kind) {
                case 0: return t.substring(0, p) + insert + t.substring(p); // insert
                case 1: return t.substring(0, p) + t.substring(end); // cut
                case 2: return t.substring(0, p) + insert + t.substring(end); // replace
                case 3: { // duplicate the line at p
                    int s = t.lastIndexOf('\n', Math.max(0, p - 1)) + 1;
                    int e = t.indexOf('\n', p);
                    String line = t.substring(s, e < 0 ? t.length() : e + 1);
                    return t.substring(0, s) + line + t.substring(s);
                }
                default: return t.substring(0, p); // truncate
            }
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<String> inserts = Arbitraries.oneOf(
                Arbitraries.of("&a ", "*a", "*undefined_alias", "!!binary ", "!tag ", "<<: *a\n", "{", "}", "[", "]", ": ", "- ",
                        "\n", "\n  ", "\t", "#", "|\n", ">-\n", "'", "\"", "\\", "? ", "%YAML 1.1\n", "---\n", "...\n",
                        "~", "null", "9223372036854775807", "-1", "0x10", "1e400", "\u0000", "\uFEFF", "ssl://", "tcp://h:70000"),
                Arbitraries.strings().withChars("abc:-{}[]&*!|># '\"\n\t\\0123456789").ofMaxLength(12));
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.doubles().between(0, 1), inserts,
                Arbitraries.integers().between(0, 40)).as(Mutation::new).list().ofMinSize(1).ofMaxSize(6);
    }
}
