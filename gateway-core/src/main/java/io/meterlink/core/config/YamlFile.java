package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigError;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One configuration file composed into a SnakeYAML node tree (nodes, not Java objects, so that
 * every key keeps its line), with the file-level checks: size (at most {@link #MAX_BYTES}), UTF-8,
 * YAML syntax, alias bombs, nesting depth, duplicate keys, merge keys. Holds the error list that
 * every {@link YamlSettings} of the file writes to.
 *
 * <p>Not thread-safe.
 */
public final class YamlFile {
    /** Largest configuration file we read. */
    public static final int MAX_BYTES = 1024 * 1024;
    /** Aliases to mappings or lists allowed in one file (a few for shared blocks; bombs need many). */
    static final int MAX_COLLECTION_ALIASES = 20;
    static final int MAX_NESTING = 20;

    static final String FILE_KEY = "(file)";
    static final String YAML_KEY = "(yaml)";

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
            if (bytes.length > MAX_BYTES) {
                error(0, FILE_KEY, "file is larger than " + MAX_BYTES / 1024 + " KiB");
                return null;
            }
        } catch (IOException e) {
            error(0, FILE_KEY, "cannot read: " + e.getClass().getSimpleName());
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            error(0, FILE_KEY, "not valid UTF-8 text");
            return null;
        }
        return compose(text);
    }

    private MappingNode compose(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowDuplicateKeys(false);
        options.setProcessComments(false);
        Node node;
        try {
            node = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            // never the snippet, nor a name or value the problem quotes: it could be a secret
            error(mark == null ? 0 : mark.getLine() + 1, YAML_KEY, YamlErrors.describe(e));
            return null;
        } catch (YAMLException e) {
            error(0, YAML_KEY, YamlErrors.describe(e));
            return null;
        }
        if (node == null) return null; // empty file: every required key is reported missing
        if (!(node instanceof MappingNode m)) {
            error(YamlSettings.lineOf(node), YAML_KEY, "the file must be a mapping of keys to values");
            return null;
        }
        check(m, "", Collections.newSetFromMap(new IdentityHashMap<>()));
        return m;
    }

    /** Duplicate keys, non-scalar keys, merge keys and recursive aliases, everywhere in the tree. */
    private void check(Node node, String path, Set<Node> seen) {
        if (!seen.add(node)) return; // an alias to a node already checked (or a recursive one)
        if (node instanceof MappingNode m) {
            Map<String, Integer> first = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode sk)) {
                    error(YamlSettings.lineOf(k), path.isEmpty() ? YAML_KEY : path, "keys must be plain names, not a " + YamlSettings.kind(k));
                    continue;
                }
                String key = path.isEmpty() ? sk.getValue() : path + "." + sk.getValue();
                if (Tag.MERGE.equals(sk.getTag())) {
                    error(YamlSettings.lineOf(k), key, "merge keys (<<) are not supported; write the keys out");
                    continue;
                }
                Integer firstLine = first.putIfAbsent(sk.getValue(), YamlSettings.lineOf(k));
                if (firstLine != null) {
                    error(YamlSettings.lineOf(k), key, "duplicate key (first given at line " + firstLine + ")");
                }
                check(t.getValueNode(), key, seen);
            }
        } else if (node instanceof SequenceNode s) {
            List<Node> items = s.getValue();
            for (int i = 0; i < items.size(); i++) {
                check(items.get(i), path + "[" + i + "]", seen);
            }
        }
    }
}
