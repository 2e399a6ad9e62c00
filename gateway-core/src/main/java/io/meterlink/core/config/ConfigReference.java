package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.driver.DriverFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration reference made from the key declarations: one Markdown table per
 * {@link KeyGroup#table()} (the gateway's own keys, then one per driver), and the README blocks
 * that hold them ({@code <!-- config-keys: TABLE -->} … {@code <!-- /config-keys -->}), so that
 * the README's tables cannot drift from what {@code bind} reads. Stateless.
 */
public final class ConfigReference {
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- config-keys: ([A-Za-z0-9_.-]+) -->\\n(.*?)<!-- /config-keys -->", Pattern.DOTALL);

    private final Map<String, List<KeyGroup>> tables;

    public ConfigReference(List<KeyGroup> groups) {
        Map<String, List<KeyGroup>> m = new LinkedHashMap<>();
        for (KeyGroup g : groups) m.computeIfAbsent(g.table(), t -> new ArrayList<>()).add(g);
        this.tables = m;
    }

    /** The gateway's own groups, those of the installed {@link ConfigSection}s and of every installed driver. */
    public static ConfigReference installed() {
        List<KeyGroup> groups = new ArrayList<>(GatewayKeys.groups());
        for (ConfigSection<?> s : ConfigLoader.installedSections()) groups.addAll(s.keys());
        DriverRegistry drivers = DriverRegistry.fromServiceLoader();
        for (String type : drivers.types()) {
            DriverFactory f = drivers.find(type).orElseThrow();
            groups.addAll(f.keys());
        }
        return new ConfigReference(groups);
    }

    /** Table names in order: {@code gateway} first, then the drivers. */
    public List<String> tables() { return List.copyOf(tables.keySet()); }

    /** Every group of {@code table}. */
    public List<KeyGroup> groups(String table) { return tables.getOrDefault(table, List.of()); }

    /** The Markdown table of {@code table}: key, type, default, meaning. */
    public String markdown(String table) {
        StringBuilder sb = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
        for (KeyGroup g : groups(table)) {
            for (ConfigKey<?> k : g.keys()) {
                sb.append("| `").append(g.path(k)).append("` | ").append(cell(k.typeText())).append(" | ")
                        .append(cell(k.defaultText())).append(" | ").append(cell(k.doc())).append(" |\n");
            }
        }
        return sb.toString();
    }

    /** The generated blocks found in {@code text}, by table name, with their content. */
    public static Map<String, String> blocks(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    /** {@code text} with every block's content replaced by the generated table (blocks of unknown tables are left). */
    public String rewrite(String text) {
        Matcher m = BLOCK.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String content = tables.containsKey(m.group(1)) ? markdown(m.group(1)) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement("<!-- config-keys: " + m.group(1) + " -->\n" + content
                    + "<!-- /config-keys -->"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The declaration of {@code path} in {@code table}, if any. */
    public Optional<ConfigKey<?>> find(String table, String path) {
        for (KeyGroup g : groups(table)) {
            for (ConfigKey<?> k : g.keys()) if (g.path(k).equals(path)) return Optional.of(k);
        }
        return Optional.empty();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
