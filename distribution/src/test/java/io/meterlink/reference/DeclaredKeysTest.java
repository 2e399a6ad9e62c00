package io.meterlink.reference;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.ConfigText;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.ConfigReference;
import io.meterlink.core.config.ConfigYaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every declared key's bounds are what binding enforces: for each bounded key of every table (the
 * gateway's sections and every installed driver), a value just below its minimum and just above its
 * maximum (an unknown choice, a non-boolean) written into a real file and loaded through
 * {@link ConfigLoader} gives a {@link ConfigError} naming the file, the value's line and the key's
 * full path; and the declared default, written out, binds without an error at that key.
 */
class DeclaredKeysTest {
    @TempDir Path dir;
    private final ConfigReference reference = ConfigReference.installed();
    private int files;

    /** Sibling keys a key is only read with (a TCP port only for transport tcp, framing only in mode D, …). */
    private static final Map<String, Map<String, String>> CONTEXT = Map.ofEntries(
            Map.entry("mbus/tcp_port", Map.of("transport", "tcp")),
            Map.entry("wmbus/tcp_port", Map.of("transport", "tcp")),
            Map.entry("p1/tcp_port", Map.of("transport", "tcp")),
            Map.entry("sml/tcp_port", Map.of("transport", "tcp")),
            Map.entry("iec62056-21/tcp_port", Map.of("transport", "tcp")),
            Map.entry("rtlamr/tcp_port", Map.of("transport", "tcp")),
            Map.entry("modbus/tcp_port", Map.of("transport", "tcp")),
            Map.entry("iec62056-21/framing", Map.of("mode", "d")),
            Map.entry("iec62056-21/frame_timeout", Map.of("mode", "d")),
            Map.entry("mbus/meters[].version", Map.of("secondary", "\"12345678\"")),
            Map.entry("mbus/meters[].medium", Map.of("secondary", "\"12345678\"")));

    @Test
    void outOfBoundsValues_areRefused_naming_fileLineAndKey() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String table : reference.tables()) {
            for (KeyGroup g : reference.groups(table)) {
                for (ConfigKey<?> k : g.keys()) {
                    for (String[] bad : badValues(k)) {
                        checked++;
                        String problem = expectError(table, g.path(k), bad[0], bad[1]);
                        if (problem != null) problems.add(problem);
                    }
                }
            }
        }
        assertTrue(checked > 120, "bounded keys were found: " + checked);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void declaredDefaults_bindWithoutError() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String table : reference.tables()) {
            for (KeyGroup g : reference.groups(table)) {
                for (ConfigKey<?> k : g.keys()) {
                    String text = defaultText(k);
                    if (text == null) continue;
                    checked++;
                    Written w = write(table, g.path(k), text);
                    for (ConfigError e : errors(w.file)) {
                        if (e.key().equals(w.fullPath)) problems.add(table + ": the default of " + g.path(k) + " (" + text + ") is refused: " + e);
                    }
                }
            }
        }
        assertTrue(checked > 80, "keys with defaults were found: " + checked);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** {value, expected message part} pairs outside the key's bounds. */
    private static List<String[]> badValues(ConfigKey<?> k) {
        List<String[]> out = new ArrayList<>();
        switch (k.kind()) {
            case INTEGER, LONG -> {
                long min = ((Number) k.min()).longValue(), max = ((Number) k.max()).longValue();
                out.add(new String[] {Long.toString(min - 1), "must be between " + min + " and " + max});
                out.add(new String[] {Long.toString(max + 1), "must be between " + min + " and " + max});
            }
            case DECIMAL -> {
                BigDecimal min = (BigDecimal) k.min(), max = (BigDecimal) k.max();
                out.add(k.minExclusive() ? new String[] {min.toPlainString(), "must be greater than " + min.toPlainString()}
                        : new String[] {min.subtract(BigDecimal.ONE).toPlainString(), "must be at least " + min.toPlainString()});
                out.add(new String[] {max.add(BigDecimal.ONE).toPlainString(), "must be at most " + max.toPlainString()});
            }
            case BYTES -> {
                long min = (Long) k.min(), max = (Long) k.max();
                if (min > 0) out.add(new String[] {Long.toString(min - 1), "must be between"});
                out.add(new String[] {Long.toString(max + 1), "must be between"});
            }
            case DURATION -> {
                Duration min = (Duration) k.min(), max = (Duration) k.max();
                if (!min.isZero()) out.add(new String[] {min.toMillis() - 1 + "ms", "must be between " + ConfigText.duration(min)});
                out.add(new String[] {max.toMillis() + 1 + "ms", "must be between"});
            }
            case CHOICE -> out.add(new String[] {"no-such-choice", "must be one of"});
            case BOOLEAN -> out.add(new String[] {"maybe", "expected true or false"});
            default -> {
            }
        }
        return out;
    }

    private static String defaultText(ConfigKey<?> k) {
        if (k.defaultValue() == null) return null;
        return switch (k.kind()) {
            case SECTION, SECTIONS, PATH, SECRET, REQUIRED_TEXT -> null;
            case STRINGS -> ((List<?>) k.defaultValue()).isEmpty() ? null : "[" + String.join(", ",
                    ((List<?>) k.defaultValue()).stream().map(o -> ConfigYaml.quote(o.toString())).toList()) + "]";
            case TEXT, CHOICE -> ConfigYaml.quote(k.defaultValue().toString());
            default -> format(k);
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(ConfigKey<T> k) {
        return k.format(k.defaultValue());
    }

    private String expectError(String table, String path, String value, String expected) throws IOException {
        Written w = write(table, path, value);
        int line = w.yaml.lineOf(w.fullPath);
        for (ConfigError e : errors(w.file)) {
            if (e.key().equals(w.fullPath) && e.line() == line && e.file().equals(w.file.toString()) && e.message().contains(expected)) {
                return null;
            }
        }
        return table + ": " + path + ": " + value + " gave no error '" + expected + "' at " + w.file.getFileName() + ":" + line
                + ": " + w.fullPath + "; got " + errors(w.file);
    }

    private record Written(Path file, ConfigYaml yaml, String fullPath) {
    }

    /** A file with {@code value} at {@code path} of {@code table} (in a source of that driver unless the table is the gateway's). */
    private Written write(String table, String path, String value) throws IOException {
        ConfigYaml root = new ConfigYaml().raw("gateway_id", "gw-keys");
        root.section("uplink").raw("url", "ssl://127.0.0.1:8883");
        ConfigYaml node = root;
        StringBuilder full = new StringBuilder();
        if (!table.equals("gateway")) {
            node = root.item("sources").raw("name", "s1").raw("driver", table);
            full.append("sources[0].");
        }
        Map<String, String> context = CONTEXT.getOrDefault(table + "/" + path, Map.of());
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.endsWith("[]")) {
                String list = part.substring(0, part.length() - 2);
                node = node.item(list);
                full.append(list).append("[0].");
            } else {
                node = node.section(part);
                full.append(part).append('.');
            }
            if (i == parts.length - 2) context.forEach(node::raw);
        }
        if (parts.length == 1) {
            ConfigYaml n = node;
            context.forEach(n::raw);
        }
        String last = parts[parts.length - 1];
        node.raw(last, value);
        full.append(last);
        Path file = dir.resolve("keys-" + (files++) + ".yaml");
        Files.writeString(file, root.text());
        return new Written(file, root, full.toString());
    }

    private static List<ConfigError> errors(Path file) {
        try {
            ConfigLoader.load(file);
            return List.of();
        } catch (ConfigException e) {
            return e.errors();
        }
    }
}
