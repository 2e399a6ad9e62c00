package io.meterlink.core.api.config;

import io.meterlink.core.api.config.ConfigError;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One configuration file composed into a SnakeYAML node tree by {@link HardenedYaml} (nodes, not
 * Java objects, so that every key keeps its line; size, UTF-8, syntax, alias bombs, nesting depth,
 * duplicate and merge keys checked there). Holds the error list that every {@link YamlSettings} of
 * the file writes to.
 *
 * <p>Not thread-safe.
 */
public final class YamlFile {
    /** Largest configuration file we read. */
    public static final int MAX_BYTES = HardenedYaml.MAX_BYTES;

    static final String FILE_KEY = "(file)";
    public static final String YAML_KEY = HardenedYaml.YAML_KEY;

    private final String name;
    private final Path directory;
    private final List<ConfigError> errors = new ArrayList<>();
    private YamlSettings root;

    private YamlFile(Path file) {
        this.name = file.toString();
        Path abs = file.toAbsolutePath().normalize();
        this.directory = abs.getParent() == null ? abs : abs.getParent();
    }

    /** Reads and composes {@code file}; never throws for bad content or I/O: see {@link #errors()}. */
    public static YamlFile parse(Path file) {
        YamlFile f = new YamlFile(file);
        f.root = new YamlSettings(f, "", f.readRoot(file), 1);
        return f;
    }

    /** Composes YAML text as if read from {@code file} (for tests and generated configs). */
    public static YamlFile parse(Path file, String text) {
        YamlFile f = new YamlFile(file);
        f.root = new YamlSettings(f, "", f.compose(text), 1);
        return f;
    }

    public YamlSettings root() { return root; }

    /** The name used in errors: the path as the user gave it. */
    public String name() { return name; }

    /** Directory that relative paths resolve against. */
    public Path directory() { return directory; }

    public List<ConfigError> errors() { return Collections.unmodifiableList(errors); }

    void error(int line, String key, String message) {
        errors.add(new ConfigError(name, line, key, message));
    }

    private MappingNode readRoot(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                error(0, FILE_KEY, Files.exists(file) ? "not a regular file" : "no such file");
                return null;
            }
            if (Files.size(file) > MAX_BYTES) {
                error(0, FILE_KEY, "file is larger than " + MAX_BYTES / 1024 + " KiB");
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            error(0, FILE_KEY, "cannot read: " + e.getClass().getSimpleName());
            return null;
        }
        String text = HardenedYaml.text(bytes, FILE_KEY, this::error);
        return text == null ? null : compose(text);
    }

    private MappingNode compose(String text) {
        Node node = HardenedYaml.compose(text, this::error);
        if (node == null) return null; // empty file: every required key is reported missing
        if (!(node instanceof MappingNode m)) {
            error(YamlSettings.lineOf(node), YAML_KEY, "the file must be a mapping of keys to values");
            return null;
        }
        return m;
    }
}
