package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a configuration file from declared keys ({@link ConfigKey}): each value formatted the way
 * the key reads it ({@code 200ms}, {@code 256MiB}, {@code true}), text quoted when YAML would read
 * it otherwise, paths absolute. The one writer of generated configurations (the simulator's runs,
 * tests). A node is a mapping; {@link #section} and {@link #item} give nested ones.
 * {@link #lineOf} tells the line a value was written on (for tests of error messages).
 *
 * <p>Not thread-safe.
 */
public final class ConfigYaml {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./:+@-]*");
    private static final Pattern RESERVED = Pattern.compile("(?i)null|~|true|false|yes|no|on|off|y|n");

    private final Map<String, Object> entries = new LinkedHashMap<>();

    /** {@code key: value} in this mapping, {@code value} written as {@code key} formats it. */
    public <T> ConfigYaml set(ConfigKey<T> key, T value) {
        String text = key.format(value);
        return switch (key.kind()) {
            case TEXT, REQUIRED_TEXT, CHOICE, PATH -> raw(key.local(), quote(text));
            case SECRET -> throw new IllegalArgumentException(key.name() + ": write secrets with secret()");
            case STRINGS -> {
                List<String> items = new ArrayList<>();
                for (Object s : (List<?>) value) items.add(quote(s.toString()));
                yield raw(key.local(), "[" + String.join(", ", items) + "]");
            }
            case SECTION, SECTIONS -> throw new IllegalArgumentException(key.name() + ": use section() or item()");
            default -> raw(key.local(), text);
        };
    }

    /** A path key, written absolute. */
    public ConfigYaml set(ConfigKey<java.util.Optional<Path>> key, Path value) {
        return raw(key.local(), quote(value.toAbsolutePath().toString()));
    }

    /** A secret key: the value written as given (the caller writes the file 0600). */
    public ConfigYaml secret(ConfigKey<?> key, String value) {
        return raw(key.local(), quote(value));
    }

    /** {@code key: value} with {@code value} already YAML (a number, a flow list), for keys a driver has not declared. */
    public ConfigYaml raw(String key, String yamlValue) {
        entries.put(key, yamlValue);
        return this;
    }

    /**
     * Lines another writer made for this mapping, already indented for it (e.g. a broker's
     * {@code tls:} block, two spaces in under {@code uplink:}), written as given.
     */
    public ConfigYaml verbatim(String lines) {
        if (!lines.isEmpty()) entries.put("\0verbatim" + entries.size(), new Verbatim(lines.endsWith("\n") ? lines : lines + "\n"));
        return this;
    }

    private record Verbatim(String lines) {
    }

    /** The nested mapping at {@code key} ({@code tls}, {@code buffer}), created when absent. */
    public ConfigYaml section(ConfigKey<?> key) {
        return section(key.local());
    }

    public ConfigYaml section(String key) {
        Object o = entries.computeIfAbsent(key, k -> new ConfigYaml());
        if (!(o instanceof ConfigYaml y)) throw new IllegalStateException(key + " is not a mapping");
        return y;
    }

    /** A new mapping at the end of the list at {@code key} ({@code sources}, {@code meters}). */
    public ConfigYaml item(ConfigKey<?> key) {
        return item(key.local());
    }

    @SuppressWarnings("unchecked")
    public ConfigYaml item(String key) {
        Object o = entries.computeIfAbsent(key, k -> new ArrayList<ConfigYaml>());
        if (!(o instanceof List<?> list)) throw new IllegalStateException(key + " is not a list");
        ConfigYaml y = new ConfigYaml();
        ((List<ConfigYaml>) list).add(y);
        return y;
    }

    /** The file's text. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        render(sb, "", false, "", new LinkedHashMap<>());
        return sb.toString();
    }

    /** The 1-based line of {@code path} in {@link #text()} ({@code uplink.tls.ca_file}, {@code sources[0].meters[1].address}), 0 when absent. */
    public int lineOf(String path) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        render(new StringBuilder(), "", false, "", lines);
        return lines.getOrDefault(path, 0);
    }

    /** Text quoted for YAML when it would not read back as this string. */
    public static String quote(String text) {
        if (PLAIN.matcher(text).matches() && !RESERVED.matcher(text).matches() && !text.endsWith(":")) return text;
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Writes this mapping's keys at {@code indent}; with {@code inlineFirst} the first key goes on
     * the line a list item's {@code "- "} already began.
     */
    private void render(StringBuilder sb, String indent, boolean inlineFirst, String path, Map<String, Integer> lines) {
        boolean first = true;
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (e.getValue() instanceof Verbatim v) {
                if (first && inlineFirst) throw new IllegalStateException("verbatim lines cannot open a list item");
                sb.append(v.lines());
                first = false;
                continue;
            }
            if (!(first && inlineFirst)) sb.append(indent);
            first = false;
            lines.put(p, lineCount(sb));
            sb.append(e.getKey()).append(':');
            Object v = e.getValue();
            if (v instanceof ConfigYaml y) {
                if (y.entries.isEmpty()) {
                    sb.append(" {}\n");
                } else {
                    sb.append('\n');
                    y.render(sb, indent + "  ", false, p, lines);
                }
            } else if (v instanceof List<?> list) {
                if (list.isEmpty()) {
                    sb.append(" []\n");
                    continue;
                }
                sb.append('\n');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(indent).append("  - ");
                    lines.put(p + "[" + i + "]", lineCount(sb));
                    ConfigYaml item = (ConfigYaml) list.get(i);
                    if (item.entries.isEmpty()) sb.append("{}\n");
                    else item.render(sb, indent + "    ", true, p + "[" + i + "]", lines);
                }
            } else {
                sb.append(' ').append(v).append('\n');
            }
        }
    }

    private static int lineCount(StringBuilder sb) {
        int n = 1;
        for (int i = 0; i < sb.length(); i++) if (sb.charAt(i) == '\n') n++;
        return n;
    }
}
