package io.meterlink.core.api.config;

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

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The project's one hardened YAML loader, for configuration files ({@link YamlFile}) and
 * configuration bundles alike: size limit, strict UTF-8, SnakeYAML composed to nodes (never to
 * objects, so nothing is instantiated and every key keeps its line) with limits on aliases, nesting
 * and code points, then duplicate keys, merge keys ({@code <<}) and non-scalar keys refused
 * everywhere in the tree. Errors never quote the document (it may hold secrets): see {@link YamlErrors}.
 * Stateless.
 */
public final class HardenedYaml {
    /** Largest document read. */
    public static final int MAX_BYTES = 1024 * 1024;
    /** Aliases to mappings or lists allowed in one document (a few for shared blocks; bombs need many). */
    static final int MAX_COLLECTION_ALIASES = 20;
    static final int MAX_NESTING = 20;
    /** The key of errors about the YAML itself. */
    public static final String YAML_KEY = "(yaml)";

    /** Where problems go: a line (1-based, 0 when unknown), a dotted key, a message without document text. */
    @FunctionalInterface
    public interface Problems {
        void report(int line, String key, String message);
    }

    private HardenedYaml() {
    }

    /** The UTF-8 text of {@code bytes}; {@code null} after reporting at {@code documentKey} when too large or not UTF-8. */
    public static String text(byte[] bytes, String documentKey, Problems problems) {
        if (bytes.length > MAX_BYTES) {
            problems.report(0, documentKey, "larger than " + MAX_BYTES / 1024 + " KiB");
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            problems.report(0, documentKey, "not valid UTF-8 text");
            return null;
        }
    }

    /**
     * The node tree of {@code text}, checked; {@code null} for an empty document or after reporting a
     * syntax or limit problem. The root may be any node: the caller says what it expects.
     */
    public static Node compose(String text, Problems problems) {
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
            problems.report(mark == null ? 0 : mark.getLine() + 1, YAML_KEY, YamlErrors.describe(e));
            return null;
        } catch (YAMLException e) {
            problems.report(0, YAML_KEY, YamlErrors.describe(e));
            return null;
        }
        if (node != null) check(node, "", Collections.newSetFromMap(new IdentityHashMap<>()), problems);
        return node;
    }

    /** Duplicate keys, non-scalar keys, merge keys and recursive aliases, everywhere in the tree. */
    private static void check(Node node, String path, Set<Node> seen, Problems problems) {
        if (!seen.add(node)) return; // an alias to a node already checked (or a recursive one)
        if (node instanceof MappingNode m) {
            Map<String, Integer> first = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                if (!(k instanceof ScalarNode sk)) {
                    problems.report(lineOf(k), path.isEmpty() ? YAML_KEY : path, "keys must be plain names, not a " + kind(k));
                    continue;
                }
                String key = path.isEmpty() ? sk.getValue() : path + "." + sk.getValue();
                if (Tag.MERGE.equals(sk.getTag())) {
                    problems.report(lineOf(k), key, "merge keys (<<) are not supported; write the keys out");
                    continue;
                }
                Integer firstLine = first.putIfAbsent(sk.getValue(), lineOf(k));
                if (firstLine != null) {
                    problems.report(lineOf(k), key, "duplicate key (first given at line " + firstLine + ")");
                }
                check(t.getValueNode(), key, seen, problems);
            }
        } else if (node instanceof SequenceNode s) {
            List<Node> items = s.getValue();
            for (int i = 0; i < items.size(); i++) {
                check(items.get(i), path + "[" + i + "]", seen, problems);
            }
        }
    }

    /** 1-based line of a node, 0 when unknown. */
    public static int lineOf(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    static String kind(Node n) {
        if (n instanceof MappingNode) return "mapping";
        if (n instanceof SequenceNode) return "list";
        return "value";
    }
}
