package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.YamlFile;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir Path dir;

    private Path write(String... lines) throws Exception {
        Path p = dir.resolve("meterlink.yaml");
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    private List<ConfigError> errorsOf(Path p) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(p)).errors();
    }

    private static boolean has(List<ConfigError> errors, int line, String key, String part) {
        return errors.stream().anyMatch(e -> e.line() == line && e.key().equals(key) && e.message().contains(part));
    }

    @Test
    void validConfig_bindsEverySection() throws Exception {
        Path p = write(
                "gateway_id: gw-0001",
                "state_dir: state",
                "buffer:",
                "  max_bytes: 64MiB",
                "uplink:",
                "  url: ssl://broker.example:8883",
                "  tls:",
                "    ca_file: certs/ca.pem",
                "    cert_file: certs/gw.pem",
                "    key_file: certs/gw.key",
                "sources:",
                "  - name: heat",
                "    driver: test",
                "    expected_interval: 30s",
                "    readings: 5",
                "  - name: water",
                "    driver: test");
        GatewayConfig c = ConfigLoader.load(p);
        assertEquals("gw-0001", c.gatewayId());
        assertEquals(dir.resolve("state").toAbsolutePath().normalize(), c.stateDir());
        assertEquals(c.stateDir().resolve("buffer.db"), c.buffer().path());
        assertEquals(64L << 20, c.buffer().maxBytes());
        assertEquals("gw-0001", c.uplink().clientId());
        assertEquals(dir.resolve("certs/ca.pem").toAbsolutePath().normalize(), c.uplink().caFile().orElseThrow());
        assertEquals(List.of("heat", "water"), c.sources().stream().map(SourceConfig::name).toList());
        assertEquals(Duration.ofSeconds(30), c.sources().get(0).expectedInterval());
        assertEquals(SourceConfig.DEFAULT_EXPECTED_INTERVAL, c.sources().get(1).expectedInterval());
        assertEquals("test", c.sources().get(0).driver());
    }

    @Test
    void unknownDriver_listsTheKnownOnes_andDoesNotFlagItsKeys() throws Exception {
        Path p = write(
                "gateway_id: gw",
                "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}",
                "sources:",
                "  - name: a",
                "    driver: zigbee",
                "    channel: 11");
        List<ConfigError> errors = errorsOf(p);
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(has(errors, 5, "sources[0].driver", "unknown driver 'zigbee'; known: test"), errors::toString);
    }

    @Test
    void duplicateSourceNames_areRefused() throws Exception {
        Path p = write(
                "gateway_id: gw",
                "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}",
                "sources:",
                "  - name: a",
                "    driver: test",
                "  - name: a",
                "    driver: test");
        List<ConfigError> errors = errorsOf(p);
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(has(errors, 6, "sources[1].name", "duplicate source name 'a'"), errors::toString);
    }

    @Test
    void driverErrors_andCoreErrors_comeTogether_sortedByLine() throws Exception {
        Path p = write(
                "gateway_id: gw/1",
                "uplink:",
                "  url: tcp://localhost:1883",
                "sources:",
                "  - name: a",
                "    driver: test",
                "    readings: many",
                "    aes_key: 00112233-very-secret",
                "    colour: red",
                "bogus: 1");
        List<ConfigError> errors = errorsOf(p);
        assertTrue(has(errors, 1, "gateway_id", "no '+', '#' or '/'"), errors::toString);
        assertTrue(has(errors, 3, "uplink.url", "plaintext"), errors::toString);
        assertTrue(has(errors, 7, "sources[0].readings", "whole number"), errors::toString);
        assertTrue(has(errors, 8, "sources[0].aes_key", "32 hex digits"), errors::toString);
        assertTrue(has(errors, 9, "sources[0].colour", "unknown key"), errors::toString);
        assertTrue(has(errors, 10, "bogus", "unknown key"), errors::toString);
        for (int i = 1; i < errors.size(); i++) {
            assertTrue(errors.get(i - 1).line() <= errors.get(i).line(), errors::toString);
        }
        errors.forEach(e -> assertFalse(e.toString().contains("very-secret"), e::toString));
    }

    @Test
    void missingGatewayIdAndUplink_areReported() throws Exception {
        Path p = write("sources: []");
        List<ConfigError> errors = errorsOf(p);
        assertTrue(errors.stream().anyMatch(e -> e.key().equals("gateway_id") && e.message().contains("required")), errors::toString);
        assertTrue(errors.stream().anyMatch(e -> e.key().equals("uplink.url") && e.message().contains("required")), errors::toString);
    }

    @Test
    void syntaxError_isTheOnlyError() throws Exception {
        Path p = write("gateway_id: gw", "uplink: [", "sources:");
        List<ConfigError> errors = errorsOf(p);
        assertEquals(1, errors.size(), errors::toString);
        assertEquals(YamlFile.YAML_KEY, errors.get(0).key());
        assertEquals(p.toString(), errors.get(0).file());
    }

    /** A module section: {@code extra: {level: N}}. */
    private static final ConfigSection<Integer> EXTRA = new ConfigSection<>() {
        @Override public String key() { return "extra"; }

        @Override public Integer bind(io.meterlink.core.api.config.Settings s) {
            int level = s.get(ConfigKey.integer("level", 3, 1, 9, "t"));
            s.finish();
            return level;
        }
    };

    @Test
    void moduleSection_isBound_absentGivesDefaults_unknownKeysStayErrors() throws Exception {
        ConfigLoader loader = new ConfigLoader(DriverRegistry.fromServiceLoader(), List.of(EXTRA));
        Path p = write("gateway_id: gw", "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}", "extra:", "  level: 7");
        assertEquals(7, loader.read(p).section(EXTRA, Integer.class).orElseThrow());
        p = write("gateway_id: gw", "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}");
        assertEquals(3, loader.read(p).section(EXTRA, Integer.class).orElseThrow());
        Path bad = write("gateway_id: gw", "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}", "extra:", "  levle: 7");
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> loader.read(bad)).errors();
        assertTrue(has(errors, 4, "extra.levle", "unknown"), errors::toString);
        // without the module installed the section itself is unknown
        Path withSection = write("gateway_id: gw", "uplink: {url: 'tcp://localhost:1883', allow_insecure: true}", "extra:", "  level: 7");
        assertTrue(has(errorsOf(withSection), 3, "extra", "unknown"), errorsOf(withSection)::toString);
    }

    @Test
    void badTopicPrefix_isAConfigErrorNamingTheKey_beforeAnyMqttClientSeesIt() throws Exception {
        for (String bad : List.of("", "meterlink/+", "a/#", "$SYS/x", "/meterlink/v1", "meterlink/v1/", "meterlink//v1",
                "meter link", "x".repeat(129))) {
            Path p = write("gateway_id: gw-0001", "uplink:", "  url: ssl://broker.example:8883",
                    "  topic_prefix: '" + bad + "'", "  tls:", "    ca_file: ca.pem", "    cert_file: gw.pem", "    key_file: gw.key");
            List<ConfigError> errors = errorsOf(p);
            assertTrue(has(errors, 4, "uplink.topic_prefix", "must"), bad + ": " + errors);
        }
        for (String good : List.of("meterlink/v1", "utility-a/meters/v1", "m")) {
            Path p = write("gateway_id: gw-0001", "uplink:", "  url: ssl://broker.example:8883",
                    "  topic_prefix: '" + good + "'", "  tls:", "    ca_file: ca.pem", "    cert_file: gw.pem", "    key_file: gw.key");
            assertEquals(good, ConfigLoader.load(p).uplink().topicPrefix());
        }
    }
}
