package io.meterlink.drivers.testing;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.YamlFile;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A {@link Settings} for unit tests, made from a map: the map is written as YAML and read by the
 * gateway's own loader ({@link YamlFile}), so a driver is bound exactly as from a file. Errors are
 * listed as {@code key: message} (the key's full path).
 */
public final class MapSettings implements Settings {
    private final YamlFile file;
    private final Settings root;

    public MapSettings(Map<String, ?> map) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        this.file = YamlFile.parse(Path.of("test.yaml").toAbsolutePath(), new Yaml(options).dump(map));
        this.root = file.root();
    }

    /** Every error recorded by this settings tree, as {@code key: message}. */
    public List<String> errors() {
        return file.errors().stream().map(e -> e.key() + ": " + e.message()).toList();
    }

    @Override public String path() { return root.path(); }
    @Override public boolean has(String key) { return root.has(key); }
    @Override public Settings section(String key) { return root.section(key); }
    @Override public List<Settings> sections(String key) { return root.sections(key); }
    @Override public <T> T get(ConfigKey<T> key, T defaultValue) { return root.get(key, defaultValue); }
    @Override public void error(String key, String message) { root.error(key, message); }
    @Override public void finish() { root.finish(); }
}
