package io.meterlink.drivers.testing;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A tiny Map-backed {@link Settings} for unit tests; errors are collected as {@code key: message}. */
public final class MapSettings implements Settings {
    private final String path;
    private final Map<String, ?> map;
    private final List<String> errors;
    private final Set<String> read = new HashSet<>();

    public MapSettings(Map<String, ?> map) { this("", map, new ArrayList<>()); }

    private MapSettings(String path, Map<String, ?> map, List<String> errors) {
        this.path = path;
        this.map = map;
        this.errors = errors;
    }

    /** Every error recorded by this settings tree. */
    public List<String> errors() { return errors; }

    private String key(String k) { return path.isEmpty() ? k : path + "." + k; }

    private Object get(String k) {
        read.add(k);
        return map.get(k);
    }

    @Override public String path() { return path; }
    @Override public boolean has(String key) { return map.containsKey(key); }

    @Override public String string(String key, String def) {
        Object v = get(key);
        return v == null ? def : v.toString();
    }

    @Override public String requiredString(String key) {
        Object v = get(key);
        if (v == null) {
            error(key, "required");
            return null;
        }
        return v.toString();
    }

    @Override public String choice(String key, String def, Set<String> allowed) {
        String v = string(key, def);
        if (!allowed.contains(v)) {
            error(key, "must be one of " + allowed);
            return def;
        }
        return v;
    }

    @Override public int integer(String key, int def, int min, int max) {
        return (int) longValue(key, def, min, max);
    }

    @Override public long longValue(String key, long def, long min, long max) {
        Object v = get(key);
        if (v == null) return def;
        long n;
        try {
            n = Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            error(key, "not a number");
            return def;
        }
        if (n < min || n > max) {
            error(key, "out of range " + min + ".." + max);
            return def;
        }
        return n;
    }

    @Override public boolean bool(String key, boolean def) {
        Object v = get(key);
        return v == null ? def : Boolean.parseBoolean(v.toString());
    }

    @Override public Duration duration(String key, Duration def, Duration min, Duration max) {
        Object v = get(key);
        if (v == null) return def;
        String s = v.toString();
        Duration d;
        if (s.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        else if (s.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        else if (s.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        else if (s.endsWith("h")) d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        else {
            error(key, "not a duration");
            return def;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(key, "out of range");
            return def;
        }
        return d;
    }

    @Override public long bytes(String key, long def, long min, long max) { return longValue(key, def, min, max); }

    @Override public Optional<Path> path(String key) { return Optional.ofNullable(string(key, null)).map(Path::of); }

    @Override public Optional<Secret> secret(String key) { return Optional.ofNullable(string(key, null)).map(Secret::of); }

    @SuppressWarnings("unchecked")
    @Override public Settings section(String key) {
        Object v = get(key);
        return new MapSettings(key(key), v instanceof Map<?, ?> m ? (Map<String, ?>) m : Map.of(), errors);
    }

    @SuppressWarnings("unchecked")
    @Override public List<Settings> sections(String key) {
        Object v = get(key);
        List<Settings> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                out.add(new MapSettings(key(key) + "[" + i + "]", (Map<String, ?>) list.get(i), errors));
            }
        }
        return out;
    }

    @Override public List<String> strings(String key) {
        Object v = get(key);
        return v instanceof List<?> l ? l.stream().map(Object::toString).toList() : List.of();
    }

    @Override public void error(String key, String message) { errors.add(key(key) + ": " + message); }

    @Override public void finish() {
        for (String k : map.keySet()) {
            if (!read.contains(k)) error(k, "unknown key");
        }
    }
}
