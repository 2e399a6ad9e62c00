package io.meterlink.reference;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.config.ConfigReference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration tables of README.md and docs/*.md are the key declarations, so they cannot drift:
 * every declared table (the gateway's keys, each installed driver's) has exactly one generated block,
 * in README.md or in the driver's page under docs/, with exactly the generated rows (a key the
 * document lists that is not declared, one it misses, a default, bound or doc that differs: all
 * fail), and no block names a table nothing declares. Run with {@code -Dmeterlink.updateReadme=true}
 * to rewrite the blocks from the declarations.
 */
class ConfigReferenceTest {
    static final Path README = Path.of("../README.md");
    static final Path DOCS = Path.of("../docs");
    private final ConfigReference reference = ConfigReference.installed();

    /** README.md and every docs/*.md, by name, rewritten first when asked. */
    private Map<String, String> documents() throws IOException {
        List<Path> files = new ArrayList<>(List.of(README));
        try (var list = Files.list(DOCS)) {
            list.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            if (Boolean.getBoolean("meterlink.updateReadme")) {
                String updated = reference.rewrite(text);
                if (!updated.equals(text)) Files.writeString(f, updated, StandardCharsets.UTF_8);
                text = updated;
            }
            out.put(f.equals(README) ? "README.md" : "docs/" + f.getFileName(), text);
        }
        return out;
    }

    @Test
    void readme_tables_areTheDeclarations() throws IOException {
        Map<String, String> blocks = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> doc : documents().entrySet()) {
            for (Map.Entry<String, String> b : ConfigReference.blocks(doc.getValue()).entrySet()) {
                String before = where.putIfAbsent(b.getKey(), doc.getKey());
                if (before != null) problems.add("the keys of '" + b.getKey() + "' are listed twice: in " + before + " and " + doc.getKey());
                blocks.putIfAbsent(b.getKey(), b.getValue());
            }
        }
        for (String table : reference.tables()) {
            String block = blocks.get(table);
            if (block == null) problems.add("no block <!-- config-keys: " + table + " --> in README.md or docs/*.md for the declared keys of " + table);
            else if (!block.equals(reference.markdown(table))) problems.add(where.get(table) + ": " + diff(table, block, reference.markdown(table)));
        }
        for (String table : blocks.keySet()) {
            if (!reference.tables().contains(table)) problems.add(where.get(table) + " lists keys of '" + table + "', which nothing declares");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems)
                + "\n(rewrite the blocks with -Dmeterlink.updateReadme=true after changing a declaration)");
    }

    @Test
    void everyInstalledTable_isThere() {
        // the gateway's own keys, the sections of the installed modules and every driver of this distribution
        for (String t : List.of("gateway", "mbus", "wmbus", "p1", "sml", "iec62056-21", "ert", "rtlamr", "modbus", "pulse", "coap")) {
            assertFalse(reference.groups(t).isEmpty(), t + " declares its keys");
        }
        assertTrue(reference.find("gateway", "technician_endpoint.open_window").isPresent(), "module sections are included");
        assertTrue(reference.find("gateway", "metrics.listen").isPresent());
    }

    @Test
    void aChangedReadmeRow_isFound() {
        String table = reference.markdown("gateway");
        String edited = table.replace("| `buffer.commit_interval` | duration, 1ms–10s | `200ms` |",
                "| `buffer.commit_interval` | duration, 1ms–10s | `100ms` |");
        assertFalse(edited.equals(table), "the row is in the generated table as expected");
        String undeclared = table + "| `buffer.no_such_key` | count | `1` | not declared |\n";
        Map<String, String> blocks = ConfigReference.blocks("<!-- config-keys: gateway -->\n" + edited + "<!-- /config-keys -->\n"
                + "<!-- config-keys: mbus -->\n" + undeclared + "<!-- /config-keys -->\n");
        assertEquals(2, blocks.size());
        assertFalse(blocks.get("gateway").equals(reference.markdown("gateway")), "a different default is a difference");
        assertFalse(blocks.get("mbus").equals(reference.markdown("mbus")), "an undeclared key is a difference");
    }

    @Test
    void everyKey_hasDocTypeAndDefault() {
        List<String> missing = new ArrayList<>();
        for (String t : reference.tables()) {
            for (KeyGroup g : reference.groups(t)) {
                for (ConfigKey<?> k : g.keys()) {
                    if (k.doc().isBlank()) missing.add(t + ": " + g.path(k) + " has no doc");
                    if (k.typeText().isBlank()) missing.add(t + ": " + g.path(k) + " has no type");
                    if (k.defaultText().isBlank()) missing.add(t + ": " + g.path(k) + " has no default (declare one, or describe it: none, required, …)");
                }
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    private static String diff(String table, String readme, String generated) {
        List<String> a = readme.lines().toList();
        List<String> b = generated.lines().toList();
        StringBuilder sb = new StringBuilder("the table '" + table + "' differs from the declarations:");
        for (String l : a) if (!b.contains(l)) sb.append("\n  README only:   ").append(l);
        for (String l : b) if (!a.contains(l)) sb.append("\n  declared only: ").append(l);
        return sb.toString();
    }
}
