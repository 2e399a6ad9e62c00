package io.meterlink.core.api.config;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigText;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link Settings} over one mapping of a SnakeYAML node tree ({@link YamlFile}), so that every key
 * and value keeps its line. Errors go to the file's shared error list; every getter goes on with its
 * default so that one pass reports every error. Values are read only through declared keys
 * ({@link #get(ConfigKey, Object)}). Values of keys whose name suggests a secret ({@code password},
 * {@code key}, …) and values of secret keys are never echoed.
 *
 * <p>Not thread-safe; used once, while binding.
 */
public final class YamlSettings implements Settings {
    private static final String DURATION_HINT = "expected a duration like 200ms, 5s, 10m, 1h or 1d";
    private static final String BYTES_HINT = "expected a size like 1000, 64KiB, 256MiB or 1GiB";

    private final YamlFile file;
    private final String path;
    private final int line;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();
    private final Set<String> asked = new LinkedHashSet<>();
    private boolean finished;

    /**
     * @param file    the file (for its name, directory and error list)
     * @param path    dotted path of this mapping, empty at the root
     * @param mapping the mapping, or {@code null} when the section is absent
     * @param line    1-based line to blame for errors that have no key of their own (missing keys)
     */
    YamlSettings(YamlFile file, String path, MappingNode mapping, int line) {
        this.file = file;
        this.path = path;
        this.line = line;
        if (mapping != null) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    entries.putIfAbsent(k.getValue(), t); // duplicates were reported by YamlFile
                }
            }
        }
    }

    /** Parses {@code file} and returns its root mapping; problems go to {@link YamlFile#errors()}. */
    public static YamlSettings load(Path file) {
        return YamlFile.parse(file).root();
    }

    /** Every error recorded so far for this file, in the order found. */
    public List<ConfigError> errors() {
        return file.errors();
    }

    @Override public String path() { return path; }

    @Override public boolean has(String key) {
        NodeTuple t = entries.get(key);
        return t != null && !isNull(t.getValueNode());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key, T defaultValue) {
        String k = key.local();
        Object v = switch (key.kind()) {
            case TEXT -> string(k, (String) defaultValue);
            case REQUIRED_TEXT -> requiredString(k);
            case CHOICE -> choice(k, (String) defaultValue, key.choices());
            case INTEGER -> {
                Long n = whole(k, (Integer) key.min(), (Integer) key.max());
                yield n == null ? defaultValue : (Object) n.intValue();
            }
            case LONG -> {
                Long n = whole(k, (Long) key.min(), (Long) key.max());
                yield n == null ? defaultValue : (Object) n;
            }
            case DECIMAL -> decimal(k, (BigDecimal) defaultValue, (BigDecimal) key.min(), key.minExclusive(), (BigDecimal) key.max());
            case BOOLEAN -> bool(k, (Boolean) defaultValue);
            case DURATION -> duration(k, (Duration) defaultValue, (Duration) key.min(), (Duration) key.max());
            case BYTES -> bytes(k, (Long) defaultValue, (Long) key.min(), (Long) key.max());
            case PATH -> {
                Optional<Path> p = path(k);
                yield p.isPresent() || defaultValue == null ? p : defaultValue;
            }
            case SECRET -> secret(k);
            case STRINGS -> has(k) || defaultValue == null ? strings(k) : defaultValue;
            case SECTION -> section(k);
            case SECTIONS -> sections(k);
        };
        return (T) v;
    }

    private String string(String key, String defaultValue) {
        ScalarNode n = scalar(key, "expected a string");
        return n == null ? defaultValue : n.getValue();
    }

    private String requiredString(String key) {
        asked.add(key);
        NodeTuple t = entries.get(key);
        if (t == null) {
            error(key, "required key is missing");
            return null;
        }
        ScalarNode n = scalar(key, "expected a string");
        if (n == null && isNull(t.getValueNode())) {
            error(key, "must not be empty");
            return null;
        }
        if (n != null && n.getValue().isBlank()) {
            error(key, "must not be empty");
            return null;
        }
        return n == null ? null : n.getValue();
    }

    private String choice(String key, String defaultValue, Set<String> allowed) {
        ScalarNode n = scalar(key, "expected one of " + String.join(", ", new TreeSet<>(allowed)));
        if (n == null) return defaultValue;
        if (!allowed.contains(n.getValue())) {
            record(n, key, "must be one of " + String.join(", ", new TreeSet<>(allowed)) + got(key, n));
            return defaultValue;
        }
        return n.getValue();
    }

    /** A whole number within bounds; {@code null} when absent or refused (the error is recorded). */
    private Long whole(String key, long min, long max) {
        ScalarNode n = scalar(key, "expected a whole number");
        if (n == null) return null;
        long v;
        try {
            v = Long.parseLong(n.getValue().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            record(n, key, "expected a whole number" + got(key, n));
            return null;
        }
        if (v < min || v > max) {
            record(n, key, "must be between " + min + " and " + max + got(key, n));
            return null;
        }
        return v;
    }

    /** An exact decimal above {@code min} (or at least it) and at most {@code max}; {@code null} when refused. */
    private BigDecimal decimal(String key, BigDecimal defaultValue, BigDecimal min, boolean minExclusive, BigDecimal max) {
        ScalarNode n = scalar(key, "expected a decimal number");
        if (n == null) return defaultValue;
        BigDecimal v;
        try {
            v = new BigDecimal(n.getValue().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            record(n, key, "expected a decimal number" + got(key, n));
            return null;
        }
        if (minExclusive ? v.compareTo(min) <= 0 : v.compareTo(min) < 0) {
            record(n, key, "must be " + (minExclusive ? "greater than " : "at least ") + min.toPlainString() + got(key, n));
            return null;
        }
        if (v.compareTo(max) > 0) {
            record(n, key, "must be at most " + max.toPlainString() + got(key, n));
            return null;
        }
        return v;
    }

    private boolean bool(String key, boolean defaultValue) {
        ScalarNode n = scalar(key, "expected true or false");
        if (n == null) return defaultValue;
        switch (n.getValue().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on":
                return true;
            case "false", "no", "off":
                return false;
            default:
                record(n, key, "expected true or false" + got(key, n));
                return defaultValue;
        }
    }

    private Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        ScalarNode n = scalar(key, DURATION_HINT);
        if (n == null) return defaultValue;
        Optional<Duration> d = ConfigValues.parseDuration(n.getValue());
        if (d.isEmpty()) {
            record(n, key, DURATION_HINT + got(key, n));
            return defaultValue;
        }
        if (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            record(n, key, "must be between " + ConfigText.duration(min) + " and " + ConfigText.duration(max) + got(key, n));
            return defaultValue;
        }
        return d.get();
    }

    private long bytes(String key, long defaultValue, long min, long max) {
        ScalarNode n = scalar(key, BYTES_HINT);
        if (n == null) return defaultValue;
        Optional<Long> b = ConfigValues.parseBytes(n.getValue());
        if (b.isEmpty()) {
            String hint = ConfigValues.isDecimalByteUnit(n.getValue())
                    ? "use binary units KiB, MiB or GiB" : BYTES_HINT;
            record(n, key, hint + got(key, n));
            return defaultValue;
        }
        if (b.get() < min || b.get() > max) {
            record(n, key, "must be between " + ConfigText.bytes(min) + " and " + ConfigText.bytes(max) + got(key, n));
            return defaultValue;
        }
        return b.get();
    }

    private Optional<Path> path(String key) {
        ScalarNode n = scalar(key, "expected a file path");
        if (n == null) return Optional.empty();
        String text = n.getValue().trim();
        if (text.isEmpty()) {
            record(n, key, "must not be empty");
            return Optional.empty();
        }
        try {
            Path p = Path.of(text);
            return Optional.of(p.isAbsolute() ? p.normalize() : file.directory().resolve(p).normalize());
        } catch (InvalidPathException e) {
            record(n, key, "not a valid path: " + e.getReason());
            return Optional.empty();
        }
    }

    private Optional<Secret> secret(String key) {
        asked.add(key);
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null || isNull(t.getValueNode())) return Optional.empty();
        if (!(t.getValueNode() instanceof ScalarNode n)) {
            record(t.getValueNode(), key, "expected a string, got a " + kind(t.getValueNode()));
            return Optional.empty();
        }
        if (n.getValue().isEmpty()) {
            record(n, key, "must not be empty");
            return Optional.empty();
        }
        return Optional.of(Secret.of(n.getValue()));
    }

    @Override public Settings section(String key) {
        asked.add(key);
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null) return new YamlSettings(file, child(key), null, line);
        int keyLine = lineOf(t.getKeyNode());
        Node v = t.getValueNode();
        if (isNull(v)) return new YamlSettings(file, child(key), null, keyLine);
        if (!(v instanceof MappingNode m)) {
            record(v, key, "expected a mapping (indented key: value lines), got a " + kind(v));
            return new YamlSettings(file, child(key), null, keyLine);
        }
        return new YamlSettings(file, child(key), m, keyLine);
    }

    @Override public List<Settings> sections(String key) {
        SequenceNode seq = sequence(key, "expected a list (lines starting with '- ')");
        if (seq == null) return List.of();
        List<Settings> out = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemPath = child(key) + "[" + i + "]";
            if (item instanceof MappingNode m) {
                out.add(new YamlSettings(file, itemPath, m, lineOf(item)));
            } else {
                file.error(lineOf(item), itemPath, "expected a mapping (key: value lines), got a " + kind(item));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The list under {@code key} (marked read), or null when it is absent, null, or not a list (then recorded as an error). */
    private SequenceNode sequence(String key, String expected) {
        asked.add(key);
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null || isNull(t.getValueNode())) return null;
        if (!(t.getValueNode() instanceof SequenceNode seq)) {
            record(t.getValueNode(), key, expected + ", got a " + kind(t.getValueNode()));
            return null;
        }
        return seq;
    }

    private List<String> strings(String key) {
        SequenceNode seq = sequence(key, "expected a list like [a, b]");
        if (seq == null) return List.of();
        List<String> out = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            if (item instanceof ScalarNode s && !isNull(s)) {
                out.add(s.getValue());
            } else {
                file.error(lineOf(item), child(key) + "[" + i + "]", "expected a string, got a " + kind(item));
            }
        }
        return Collections.unmodifiableList(out);
    }

    @Override public void error(String key, String message) {
        file.error(lineOfKey(key), child(key), message);
    }

    @Override public void finish() {
        if (finished) return;
        finished = true;
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!read.contains(e.getKey())) {
                file.error(lineOf(e.getValue().getKeyNode()), child(e.getKey()), "unknown key" + suggestion(e.getKey()));
            }
        }
    }

    /** The value node of {@code key} as a scalar; {@code null} when absent, null-valued or of the wrong type (recorded). */
    private ScalarNode scalar(String key, String expectation) {
        asked.add(key);
        read.add(key);
        NodeTuple t = entries.get(key);
        if (t == null || isNull(t.getValueNode())) return null;
        Node v = t.getValueNode();
        if (v instanceof ScalarNode s) return s;
        record(v, key, expectation + ", got a " + kind(v));
        return null;
    }

    private void record(Node at, String key, String message) {
        file.error(lineOf(at), child(key), message);
    }

    /** {@code " (got 'x')"}, or nothing when the key may hold a secret or the value is long. */
    private static String got(String key, ScalarNode n) {
        String v = n.getValue();
        if (ConfigValues.looksSecret(key) || v.length() > 64 || v.contains("\n")) return "";
        return " (got '" + v + "')";
    }

    private String suggestion(String unknown) {
        String best = null;
        int bestDistance = 3;
        for (String k : asked) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        return prev[b.length()];
    }

    private int lineOfKey(String dotted) {
        Map<String, NodeTuple> level = entries;
        int found = line;
        for (String part : dotted.split("\\.")) {
            NodeTuple t = level == null ? null : level.get(part);
            if (t == null) return found;
            found = lineOf(t.getKeyNode());
            level = null;
            if (t.getValueNode() instanceof MappingNode m) {
                level = new LinkedHashMap<>();
                for (NodeTuple nt : m.getValue()) {
                    if (nt.getKeyNode() instanceof ScalarNode k) level.putIfAbsent(k.getValue(), nt);
                }
            }
        }
        return found;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static int lineOf(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    static String kind(Node n) {
        if (n instanceof MappingNode) return "mapping";
        if (n instanceof SequenceNode) return "list";
        return "value";
    }
}
