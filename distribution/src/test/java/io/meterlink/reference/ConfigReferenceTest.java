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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration tables are the key declarations, so they cannot drift: every declared
 * table (the gateway's keys, each installed driver's) has its generated block in README.md with
 * exactly the generated rows (a key the README lists that is not declared, one it misses, a default,
 * bound or doc that differs: all fail), and no block names a table nothing declares. Run with
 * {@code -Dmeterlink.updateReadme=true} to rewrite the blocks from the declarations.
 */
class ConfigReferenceTest {
    static final Path README = Path.of("../README.md");
    private final ConfigReference reference = ConfigReference.installed();

    private String readme() throws IOException {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("meterlink.updateReadme")) {
            String updated = reference.rewrite(text);
            if (!updated.equals(text)) Files.writeString(README, updated, StandardCharsets.UTF_8);
            return updated;
        }
        return text;
    }

    @Test
    void readme_tables_areTheDeclarations() throws IOException {
        Map<String, String> blocks = ConfigReference.blocks(readme());
        List<String> problems = new ArrayList<>();
        for (String table : reference.tables()) {
            String block = blocks.get(table);
            if (block == null) problems.add("README.md has no block <!-- config-keys: " + table + " --> for the declared keys of " + table);
            else if (!block.equals(reference.markdown(table))) problems.add(diff(table, block, reference.markdown(table)));
        }
        for (String table : blocks.keySet()) {
            if (!reference.tables().contains(table)) problems.add("README.md lists keys of '" + table + "', which nothing declares");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems)
                + "\n(rewrite the blocks with -Dmeterlink.updateReadme=true after changing a declaration)");
    }

    @Test
    void everyInstalledTable_isThere() {
        // the gateway's own keys, the sections of the installed modules and every driver of this distribution
        for (String t : List.of("gateway", "mbus", "wmbus", "p1", "sml", "iec62056-21", "ert", "rtlamr")) {
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
        StringBuilder sb = new StringBuilder("README.md's table '" + table + "' differs from the declarations:");
        for (String l : a) if (!b.contains(l)) sb.append("\n  README only:   ").append(l);
        for (String l : b) if (!a.contains(l)) sb.append("\n  declared only: ").append(l);
        return sb.toString();
    }
}
