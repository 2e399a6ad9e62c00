package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.YamlFile;
import io.meterlink.core.api.config.YamlSettings;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YamlSettingsTest {
    private static final Path FILE = Path.of("/etc/meterlink/gw.yaml");

    private static YamlFile yaml(String... lines) {
        return YamlFile.parse(FILE, String.join("\n", lines) + "\n");
    }

    private static ConfigError only(YamlFile f) {
        assertEquals(1, f.errors().size(), () -> "errors: " + f.errors());
        return f.errors().get(0);
    }

    private static void assertError(ConfigError e, int line, String key, String messagePart) {
        assertEquals(FILE.toString(), e.file());
        assertEquals(line, e.line(), e::toString);
        assertEquals(key, e.key(), e::toString);
        assertTrue(e.message().contains(messagePart), () -> "message '" + e.message() + "' lacks '" + messagePart + "'");
    }

    @Test
    void getters_bindTypedValues() {
        YamlFile f = yaml(
                "name: gw-1",
                "count: 20_000",
                "big: 5000000000",
                "on: true",
                "wait: 200ms",
                "long_wait: 10m",
                "day: 1d",
                "size: 256MiB",
                "small: 64KiB",
                "huge: 1GiB",
                "plain: 1000",
                "mode: normal",
                "dir: data/state",
                "abs: /var/lib/x",
                "list: [a, b]",
                "section:",
                "  inner: 5s",
                "items:",
                "  - n: 1",
                "  - n: 2");
        Settings s = f.root();
        assertEquals("gw-1", s.get(ConfigKey.text("name", null, "t")));
        assertEquals(20_000, s.get(ConfigKey.integer("count", 0, 0, 100_000, "t")));
        assertEquals(5_000_000_000L, s.get(ConfigKey.longValue("big", (long) 0, 0, Long.MAX_VALUE, "t")));
        assertTrue(s.get(ConfigKey.bool("on", false, "t")));
        assertEquals(Duration.ofMillis(200), s.get(ConfigKey.duration("wait", Duration.ZERO, Duration.ZERO, Duration.ofDays(9), "t")));
        assertEquals(Duration.ofMinutes(10), s.get(ConfigKey.duration("long_wait", Duration.ZERO, Duration.ZERO, Duration.ofDays(9), "t")));
        assertEquals(Duration.ofDays(1), s.get(ConfigKey.duration("day", Duration.ZERO, Duration.ZERO, Duration.ofDays(9), "t")));
        assertEquals(256L << 20, s.get(ConfigKey.bytes("size", 0, 0, Long.MAX_VALUE, "t")));
        assertEquals(64L << 10, s.get(ConfigKey.bytes("small", 0, 0, Long.MAX_VALUE, "t")));
        assertEquals(1L << 30, s.get(ConfigKey.bytes("huge", 0, 0, Long.MAX_VALUE, "t")));
        assertEquals(1000, s.get(ConfigKey.bytes("plain", 0, 0, Long.MAX_VALUE, "t")));
        assertEquals("normal", s.get(ConfigKey.choice("mode", "full", List.of("full", "normal"), "t")));
        assertEquals(Path.of("/etc/meterlink/data/state"), s.get(ConfigKey.path("dir", "t")).orElseThrow());
        assertEquals(Path.of("/var/lib/x"), s.get(ConfigKey.path("abs", "t")).orElseThrow());
        assertEquals(List.of("a", "b"), s.get(ConfigKey.strings("list", "t")));
        Settings section = s.section("section");
        assertEquals("section", section.path());
        assertEquals(Duration.ofSeconds(5), section.get(ConfigKey.duration("inner", Duration.ZERO, Duration.ZERO, Duration.ofHours(1), "t")));
        section.finish();
        List<Settings> items = s.sections("items");
        assertEquals(2, items.size());
        assertEquals("items[1]", items.get(1).path());
        assertEquals(1, items.get(0).get(ConfigKey.integer("n", 0, 0, 9, "t")));
        assertEquals(2, items.get(1).get(ConfigKey.integer("n", 0, 0, 9, "t")));
        items.forEach(Settings::finish);
        assertEquals("dflt", s.get(ConfigKey.text("absent", "dflt", "t")));
        s.finish();
        assertEquals(List.of(), f.errors());
    }

    @Test
    void duration_wrongType_namesLineKeyAndExpectedForm() {
        YamlFile f = yaml("buffer:", "  path: x.db", "  commit_interval: soon");
        Settings b = f.root().section("buffer");
        Duration d = b.get(ConfigKey.duration("commit_interval", Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofSeconds(10), "t"));
        assertEquals(Duration.ofMillis(200), d, "default on error");
        assertError(only(f), 3, "buffer.commit_interval", "expected a duration like 200ms, 5s, 10m");
    }

    @Test
    void outOfBounds_isReportedWithBounds() {
        YamlFile f = yaml("a: 11", "b: 1h", "c: 2GiB");
        f.root().get(ConfigKey.integer("a", 1, 1, 10, "t"));
        f.root().get(ConfigKey.duration("b", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofSeconds(10), "t"));
        f.root().get(ConfigKey.bytes("c", 1, 1, 1L << 30, "t"));
        assertEquals(3, f.errors().size(), f.errors()::toString);
        assertError(f.errors().get(0), 1, "a", "between 1 and 10");
        assertError(f.errors().get(1), 2, "b", "between 1ms and 10s");
        assertError(f.errors().get(2), 3, "c", "between 1 and 1GiB");
    }

    @Test
    void bytes_decimalUnit_isRefusedWithAHint() {
        YamlFile f = yaml("size: 10MB");
        f.root().get(ConfigKey.bytes("size", 0, 0, Long.MAX_VALUE, "t"));
        assertError(only(f), 1, "size", "KiB, MiB or GiB");
    }

    @Test
    void requiredKey_missing_blamesTheEnclosingSection() {
        YamlFile f = yaml("gateway_id: gw", "uplink:", "  protocol: mqtt5");
        Settings up = f.root().section("uplink");
        assertNull(up.get(ConfigKey.required("url", "t")));
        assertError(only(f), 2, "uplink.url", "required");
    }

    @Test
    void requiredKey_empty_isAnError() {
        YamlFile f = yaml("gateway_id:");
        assertNull(f.root().get(ConfigKey.required("gateway_id", "t")));
        assertError(only(f), 1, "gateway_id", "must not be empty");
    }

    @Test
    void unknownKey_isReportedAtItsLine_withASuggestion() {
        YamlFile f = yaml("buffer:", "  max_bytes: 1MiB", "  comit_interval: 1s");
        Settings b = f.root().section("buffer");
        b.get(ConfigKey.bytes("max_bytes", 0, 0, Long.MAX_VALUE, "t"));
        b.get(ConfigKey.duration("commit_interval", Duration.ofMillis(200), Duration.ZERO, Duration.ofHours(1), "t"));
        b.finish();
        f.root().finish();
        assertError(only(f), 3, "buffer.comit_interval", "unknown key (did you mean 'commit_interval'?)");
    }

    @Test
    void duplicateKey_isReported_withTheFirstLine() {
        YamlFile f = yaml("gateway_id: a", "uplink:", "  url: ssl://x:8883", "  url: ssl://y:8883");
        assertError(only(f), 4, "uplink.url", "duplicate key (first given at line 3)");
    }

    @Test
    void invalidSyntax_reportsTheLine() {
        YamlFile f = yaml("gateway_id: a", "uplink:", "  url: ssl://x", " bad: [unclosed");
        ConfigError e = only(f);
        assertEquals(YamlFile.YAML_KEY, e.key());
        assertTrue(e.line() >= 3 && e.line() <= 5, e::toString);
        assertTrue(e.message().startsWith("invalid YAML"), e::toString);
    }

    @Test
    void syntaxError_doesNotEchoTheOffendingLine() {
        YamlFile f = yaml("password: hunter2-secret: : [");
        assertFalse(f.errors().isEmpty());
        f.errors().forEach(e -> assertFalse(e.toString().contains("hunter2"), e::toString));
    }

    @Test
    void storedForm_isJsonUnlessRecordsAreAskedFor() {
        assertFalse(BufferConfig.bind(yaml("path: /tmp/b.db").root(), Path.of("/var/lib/meterlink")).recordsStored());
        assertTrue(BufferConfig.bind(yaml("stored_form: records").root(), Path.of("/var/lib/meterlink")).recordsStored());
        YamlFile bad = yaml("stored_form: cbor");
        BufferConfig.bind(bad.root(), Path.of("/var/lib/meterlink"));
        assertTrue(bad.errors().stream().anyMatch(e -> e.key().contains("stored_form")), bad.errors()::toString);
    }

    @Test
    void everyError_isReportedInOnePass() {
        YamlFile f = yaml(
                "gateway_id: gw",
                "buffer:",
                "  max_bytes: lots",
                "  commit_interval: 5 minutes",
                "  synchronous: maybe",
                "  extra: 1",
                "uplink:",
                "  allow_insecure: perhaps",
                "  url: tcp://h:1883",
                "  url: tcp://h:1884");
        Settings root = f.root();
        root.get(ConfigKey.required("gateway_id", "t"));
        BufferConfig.bind(root.section("buffer"), Path.of("/var/lib/meterlink"));
        UplinkConfig.bind(root.section("uplink"), "gw");
        root.finish();
        List<String> keys = f.errors().stream().map(e -> e.line() + ":" + e.key()).toList();
        assertTrue(keys.contains("3:buffer.max_bytes"), keys::toString);
        assertTrue(keys.contains("4:buffer.commit_interval"), keys::toString);
        assertTrue(keys.contains("5:buffer.synchronous"), keys::toString);
        assertTrue(keys.contains("6:buffer.extra"), keys::toString);
        assertTrue(keys.contains("8:uplink.allow_insecure"), keys::toString);
        assertTrue(keys.contains("10:uplink.url"), keys::toString);
    }

    @Test
    void secrets_areNeverEchoed() {
        YamlFile f = yaml(
                "uplink:",
                "  password: [s3cr3t-list]",
                "  api_key: 99s3cr3t",
                "  username_password: s3cr3t-typo",
                "  token: s3cr3t-token");
        Settings up = f.root().section("uplink");
        up.get(ConfigKey.secret("password", "t"));
        up.get(ConfigKey.integer("api_key", 0, 0, 10, "t"));
        up.get(ConfigKey.choice("token", "a", List.of("a"), "t"));
        up.finish();
        assertEquals(4, f.errors().size(), f.errors()::toString);
        f.errors().forEach(e -> assertFalse(e.toString().contains("s3cr3t"), e::toString));
    }

    @Test
    void nonSecret_badValue_isQuoted() {
        YamlFile f = yaml("synchronous: maybe");
        f.root().get(ConfigKey.choice("synchronous", "full", List.of("full", "normal"), "t"));
        assertError(only(f), 1, "synchronous", "must be one of full, normal (got 'maybe')");
    }

    @Test
    void wrongShape_sectionOrList_isReported() {
        YamlFile f = yaml("buffer: 5", "sources: {a: 1}", "tags: x");
        assertFalse(f.root().section("buffer").has("path"));
        assertTrue(f.root().sections("sources").isEmpty());
        assertTrue(f.root().get(ConfigKey.strings("tags", "t")).isEmpty());
        assertEquals(3, f.errors().size(), f.errors()::toString);
        assertError(f.errors().get(0), 1, "buffer", "expected a mapping");
        assertError(f.errors().get(1), 2, "sources", "expected a list");
        assertError(f.errors().get(2), 3, "tags", "expected a list");
    }

    @Test
    void error_onNestedKey_findsItsLine() {
        YamlFile f = yaml("uplink:", "  url: ssl://h:8883", "  tls:", "    cert_file: c.pem");
        Settings up = f.root().section("uplink");
        up.error("tls.cert_file", "goes with key_file");
        assertError(only(f), 4, "uplink.tls.cert_file", "goes with key_file");
    }

    @Test
    void aliasBomb_isRefused() {
        StringBuilder sb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        String prev = "a";
        for (char c = 'b'; c <= 'k'; c++) {
            sb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) sb.append(i == 0 ? "" : ", ").append('*').append(prev);
            sb.append("]\n");
            prev = String.valueOf(c);
        }
        YamlFile f = YamlFile.parse(FILE, sb.toString());
        assertEquals(1, f.errors().size(), f.errors()::toString);
        assertTrue(f.errors().get(0).message().contains("aliases"), f.errors()::toString);
    }

    @Test
    void mergeKey_isRefused() {
        YamlFile f = yaml("base: &b {x: 1}", "other:", "  <<: *b", "  y: 2");
        assertError(only(f), 3, "other.<<", "merge keys");
    }

    @Test
    void notAMapping_atTopLevel_isAnError() {
        YamlFile f = yaml("- a", "- b");
        assertError(only(f), 1, YamlFile.YAML_KEY, "mapping");
    }

    @Test
    void file_tooLarge_isRefused(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("big.yaml");
        Files.write(p, ("# " + "x".repeat(YamlFile.MAX_BYTES) + "\n").getBytes(StandardCharsets.UTF_8));
        YamlFile f = YamlFile.parse(p);
        assertEquals(1, f.errors().size());
        assertTrue(f.errors().get(0).message().contains("larger than"), f.errors()::toString);
    }

    @Test
    void file_missing_isAnError(@TempDir Path dir) {
        YamlFile f = YamlFile.parse(dir.resolve("nope.yaml"));
        assertEquals("no such file", only(f).message());
    }

    @Test
    void relativePaths_resolveAgainstTheFilesDirectory(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        Path p = sub.resolve("gw.yaml");
        Files.writeString(p, "state_dir: ../state\nca: certs/ca.pem\n");
        YamlSettings s = YamlSettings.load(p);
        assertEquals(dir.resolve("state").toAbsolutePath().normalize(), s.get(ConfigKey.path("state_dir", "t")).orElseThrow());
        assertEquals(sub.resolve("certs/ca.pem").toAbsolutePath().normalize(), s.get(ConfigKey.path("ca", "t")).orElseThrow());
        assertEquals(List.of(), s.errors());
    }
}
