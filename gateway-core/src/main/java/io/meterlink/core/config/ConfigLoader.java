package io.meterlink.core.config;

import io.meterlink.core.api.config.YamlFile;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.tls.TlsMaterial;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Reads a gateway's YAML configuration into a {@link GatewayConfig}, reporting every error (file,
 * line, dotted key) at once. Drivers are found through {@link DriverRegistry}; the loader never names
 * a concrete driver.
 *
 * <pre>
 * gateway_id: gw-0001          # required
 * state_dir: /var/lib/meterlink
 * buffer: {…}                  # BufferConfig
 * uplink: {…}                  # UplinkConfig
 * sources:
 *   - name: heat-meters        # unique
 *     driver: mbus             # a DriverFactory type
 *     expected_interval: 15m   # optional; stale after 3x
 *     …                        # the driver's own keys
 * technician_endpoint: {…}     # sections other modules declare ({@link ConfigSection})
 * </pre>
 */
public final class ConfigLoader {
    /** How far the files a configuration names are checked while binding it. */
    public enum FileChecks {
        /** Not at all (a bundle being staged names files that do not exist yet). */
        NONE,
        /** The TLS CA file must be usable; the client certificate and key only once the certificate exists (before enrolment it does not). */
        PRESENT,
        /** Every TLS file must exist, parse, and the key must belong to the certificate ({@code config validate}). */
        ALL
    }

    private final DriverRegistry drivers;
    private final List<ConfigSection<?>> sections;
    private final FileChecks fileChecks;

    /** With the module sections found through {@link ServiceLoader}. */
    public ConfigLoader(DriverRegistry drivers) {
        this(drivers, installedSections());
    }

    public ConfigLoader(DriverRegistry drivers, List<ConfigSection<?>> sections) {
        this(drivers, sections, FileChecks.NONE);
    }

    private ConfigLoader(DriverRegistry drivers, List<ConfigSection<?>> sections, FileChecks fileChecks) {
        this.drivers = drivers;
        this.sections = List.copyOf(sections);
        this.fileChecks = fileChecks;
    }

    /** This loader, checking the named files as {@code checks} says. */
    public ConfigLoader checkingFiles(FileChecks checks) {
        return new ConfigLoader(drivers, sections, checks);
    }

    /** The {@link ConfigSection}s installed on the class path. */
    @SuppressWarnings("rawtypes")
    public static List<ConfigSection<?>> installedSections() {
        List<ConfigSection<?>> out = new ArrayList<>();
        for (ConfigSection s : ServiceLoader.load(ConfigSection.class, ConfigLoader.class.getClassLoader())) out.add(s);
        return out;
    }

    /** Loads {@code file} with the drivers found through {@link java.util.ServiceLoader} (files it names are not opened). */
    public static GatewayConfig load(Path file) throws ConfigException {
        return new ConfigLoader(DriverRegistry.fromServiceLoader()).read(file);
    }

    /** Loads {@code file} with the given drivers. */
    public static GatewayConfig load(Path file, DriverRegistry drivers) throws ConfigException {
        return new ConfigLoader(drivers).read(file);
    }

    public GatewayConfig read(Path file) throws ConfigException {
        return readChecked(file).config();
    }

    /**
     * A configuration and the uplink's TLS files as its file check parsed them ({@link TlsMaterial#none()}
     * when files are not checked): hand {@code tls} on to the uplink's first TLS context, then drop it
     * (it holds the private key).
     */
    public record Checked(GatewayConfig config, TlsMaterial tls) { }

    /** As {@link #read}, with what the file check parsed. */
    public Checked readChecked(Path file) throws ConfigException {
        YamlFile yaml = YamlFile.parse(file);
        if (!yaml.errors().isEmpty()) {
            // unreadable or not YAML: binding would only add "missing key" noise
            throw new ConfigException(sorted(yaml.errors()));
        }
        TlsMaterial[] tls = {TlsMaterial.none()};
        GatewayConfig config = bind(yaml, file, parsed -> tls[0] = parsed);
        if (!yaml.errors().isEmpty() || config == null) {
            throw new ConfigException(sorted(yaml.errors()));
        }
        return new Checked(config, tls[0]);
    }

    /** Binds the root mapping; returns {@code null} when errors were recorded. */
    private GatewayConfig bind(YamlFile yaml, Path file, java.util.function.Consumer<TlsMaterial> parsedTls) {
        Settings root = yaml.root();
        String gatewayId = root.get(GatewayKeys.GATEWAY_ID);
        if (gatewayId != null && !GatewayConfig.ID.matcher(gatewayId).matches()) {
            root.error(GatewayKeys.GATEWAY_ID, "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"
                    + " (it is an MQTT topic level: no '+', '#' or '/')");
            gatewayId = null;
        }
        Path stateDir = root.get(GatewayKeys.STATE_DIR).orElse(GatewayConfig.DEFAULT_STATE_DIR);
        BufferConfig buffer = BufferConfig.bind(root.get(GatewayKeys.BUFFER), stateDir);
        UplinkConfig uplink = UplinkConfig.bind(root.get(GatewayKeys.UPLINK), gatewayId == null ? "gateway" : gatewayId, fileChecks, parsedTls);
        List<SourceConfig> sources = bindSources(root, yaml);
        Map<String, Object> extra = new HashMap<>();
        for (ConfigSection<?> section : sections) {
            Settings s = root.section(section.key());
            Object value;
            try {
                value = section.bind(s);
            } catch (RuntimeException e) {
                s.error("", "section '" + section.key() + "' failed to read its settings: " + e.getClass().getSimpleName());
                value = null;
            }
            s.finish();
            if (value != null) extra.put(section.key(), value);
        }
        root.finish();
        if (gatewayId == null || !yaml.errors().isEmpty()) return null;
        return new GatewayConfig(file, gatewayId, stateDir, buffer, uplink, sources, extra);
    }

    private List<SourceConfig> bindSources(Settings root, YamlFile yaml) {
        List<SourceConfig> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        List<Settings> items = root.get(GatewayKeys.SOURCES);
        for (Settings s : items) {
            String name = s.get(GatewayKeys.SOURCE_NAME);
            if (name != null && !GatewayConfig.ID.matcher(name).matches()) {
                s.error(GatewayKeys.SOURCE_NAME, "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
                name = null;
            } else if (name != null && names.putIfAbsent(name, s.path()) != null) {
                s.error(GatewayKeys.SOURCE_NAME, "duplicate source name '" + name + "' (also used by " + names.get(name) + ")");
                name = null;
            }
            String type = s.get(GatewayKeys.SOURCE_DRIVER);
            Duration interval = s.get(GatewayKeys.SOURCE_EXPECTED_INTERVAL);
            if (type == null) continue;
            Optional<DriverFactory> factory = drivers.find(type);
            if (factory.isEmpty()) {
                s.error("driver", "unknown driver '" + type + "'; known: "
                        + (drivers.types().isEmpty() ? "none installed" : String.join(", ", drivers.types())));
                continue; // its other keys belong to a driver we do not know: do not call them unknown
            }
            int errorsBefore = yaml.errors().size();
            DriverFactory.DriverSpec spec;
            try {
                spec = factory.get().configure(s);
            } catch (RuntimeException e) {
                s.error("driver", "driver '" + type + "' failed to read its settings: " + e.getClass().getSimpleName());
                continue;
            }
            s.finish(); // idempotent: catches a driver that forgot to
            if (spec != null && name != null) {
                out.add(new SourceConfig(name, type, interval, spec));
            } else if (spec == null && yaml.errors().size() == errorsBefore) {
                s.error("driver", "driver '" + type + "' refused its settings without saying why");
            }
        }
        return out;
    }

    static List<ConfigError> sorted(List<ConfigError> errors) {
        List<ConfigError> out = new ArrayList<>(errors);
        out.sort(Comparator.comparingInt(ConfigError::line));
        return out;
    }
}
