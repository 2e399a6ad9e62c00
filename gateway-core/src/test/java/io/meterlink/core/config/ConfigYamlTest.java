package io.meterlink.core.config;

import io.meterlink.core.api.config.YamlFile;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.keys.UplinkKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the writer writes reads back through the hardened loader as the same values, at the lines it says. */
class ConfigYamlTest {
    private static final ConfigKey<String> TEXT = ConfigKey.text("t", null, "any text");

    @Test
    void trickyText_readsBackUnchanged() {
        for (String v : List.of("plain", "host:", "a: b", "#hash", "-Xmx64m", "yes", "NULL", "~", "", " lead", "tab\there",
                "quote\"d", "back\\slash", "12345678", "0x1F", "1e3", "ssl://h:1", "[x]", "{y}", "*alias", "&anchor", "!tag",
                "%pct", "@at", "`tick`", "line\nbreak", "ünïcode")) {
            ConfigYaml y = new ConfigYaml().set(TEXT, v);
            YamlFile f = YamlFile.parse(Path.of("w.yaml"), y.text());
            assertEquals(List.of(), f.errors(), v);
            assertEquals(v, f.root().get(TEXT), y.text());
        }
    }

    @Test
    void nestedSectionsAndListItems_haveTheLinesLineOfSays() {
        ConfigYaml root = new ConfigYaml().raw("gateway_id", "gw");
        ConfigYaml u = root.section("uplink");
        u.set(UplinkKeys.BACKOFF_MIN, Duration.ofMillis(250));
        u.section(UplinkKeys.TLS).set(UplinkKeys.CA_FILE, Path.of("/ca.pem"));
        ConfigYaml src = root.item("sources").raw("name", "a");
        src.item("meters").raw("address", "1");
        src.item("meters").raw("address", "2");
        String text = root.text();
        List<String> lines = text.lines().toList();
        assertEquals("  backoff_min: 250ms", lines.get(root.lineOf("uplink.backoff_min") - 1));
        assertEquals("    ca_file: \"/ca.pem\"", lines.get(root.lineOf("uplink.tls.ca_file") - 1));
        assertEquals("      - address: 2", lines.get(root.lineOf("sources[0].meters[1].address") - 1));
        YamlFile f = YamlFile.parse(Path.of("w.yaml"), text);
        assertEquals(List.of(), f.errors());
        assertEquals(Duration.ofMillis(250), f.root().section("uplink").get(UplinkKeys.BACKOFF_MIN));
    }
}
