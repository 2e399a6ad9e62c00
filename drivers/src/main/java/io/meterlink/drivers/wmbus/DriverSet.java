package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.ConfigError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wM-Bus driver files in use: the built-in set in the jar ({@code wmbus-drivers/*.yaml},
 * listed in {@code wmbus-drivers/index.txt}) and, optionally, a directory of the user's own, which
 * come first (a user file with a built-in driver's name replaces it). Immutable, thread-safe;
 * matching is one map lookup by manufacturer.
 */
public final class DriverSet {
    private static final String BUILTIN = "wmbus-drivers/";
    private static volatile DriverSet builtin;

    private final List<DriverFile> drivers;
    private final Map<String, List<DriverFile>> byManufacturer = new HashMap<>();
    private final List<DriverFile> anyManufacturer = new ArrayList<>();

    private DriverSet(List<DriverFile> drivers) {
        this.drivers = List.copyOf(drivers);
        for (DriverFile d : drivers) {
            if (d.manufacturers().isEmpty()) anyManufacturer.add(d);
            for (String m : d.manufacturers()) byManufacturer.computeIfAbsent(m, k -> new ArrayList<>()).add(d);
        }
    }

    /** Exactly these driver files (no built-in ones). */
    static DriverSet of(List<DriverFile> drivers) { return new DriverSet(drivers); }

    /** No driver files: generic decoding only. */
    public static DriverSet none() { return new DriverSet(List.of()); }

    public List<DriverFile> drivers() { return drivers; }

    /** Puts the compact-frame formats the driver files know into {@code cache}. */
    public void seed(io.meterlink.drivers.mbus.FormatCache cache) {
        for (DriverFile d : drivers) d.seed(cache);
    }

    /** The first driver detecting this meter model and CI, or {@code null}. */
    public DriverFile match(String manufacturer, int version, int deviceType, int ci) {
        List<DriverFile> list = byManufacturer.get(manufacturer);
        if (list != null) {
            for (DriverFile d : list) {
                if (d.matches(manufacturer, version, deviceType, ci)) return d;
            }
        }
        for (DriverFile d : anyManufacturer) {
            if (d.matches(manufacturer, version, deviceType, ci)) return d;
        }
        return null;
    }

    /** The built-in driver files (read once from the jar). */
    public static DriverSet builtin() {
        DriverSet b = builtin;
        if (b == null) {
            List<ConfigError> errors = new ArrayList<>();
            List<DriverFile> files = readBuiltin(errors);
            if (!errors.isEmpty()) throw new IllegalStateException("built-in wM-Bus driver files are invalid: " + errors);
            builtin = b = new DriverSet(files);
        }
        return b;
    }

    /**
     * The user's driver files in {@code dir} ({@code *.yaml}, {@code *.yml}) ahead of the built-in
     * set; problems are added to {@code errors} as {@code file:line: key: message}.
     */
    public static DriverSet load(Path dir, List<ConfigError> errors) {
        List<DriverFile> out = new ArrayList<>();
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                errors.add(new ConfigError(dir.toString(), 0, "(dir)", "no such directory"));
            } else {
                List<Path> paths = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
                    ds.forEach(paths::add);
                } catch (IOException e) {
                    errors.add(new ConfigError(dir.toString(), 0, "(dir)", "cannot list: " + e.getClass().getSimpleName()));
                }
                paths.sort(null);
                for (Path p : paths) {
                    try {
                        if (Files.size(p) > DriverFile.MAX_BYTES) {
                            errors.add(new ConfigError(p.toString(), 0, "(file)", "driver file is larger than " + DriverFile.MAX_BYTES / 1024 + " KiB"));
                            continue;
                        }
                        DriverFile d = DriverFile.parse(p.toString(), Files.readString(p, StandardCharsets.UTF_8), errors);
                        if (d != null) out.add(d);
                    } catch (IOException | UncheckedIOException e) {
                        errors.add(new ConfigError(p.toString(), 0, "(file)", "cannot read (not UTF-8 text?): " + e.getClass().getSimpleName()));
                    }
                }
            }
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (DriverFile d : out) {
            if (!names.add(d.name())) errors.add(new ConfigError(d.file(), 1, "driver", "driver '" + d.name() + "' is defined by two files"));
        }
        for (DriverFile d : builtin().drivers) {
            if (!names.contains(d.name())) out.add(d);
        }
        return new DriverSet(out);
    }

    private static List<DriverFile> readBuiltin(List<ConfigError> errors) {
        List<DriverFile> out = new ArrayList<>();
        String index = resource("index.txt");
        for (String line : index.split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) continue;
            DriverFile d = DriverFile.parse("builtin:" + name, resource(name), errors);
            if (d != null) out.add(d);
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = DriverSet.class.getClassLoader().getResourceAsStream(BUILTIN + name)) {
            if (in == null) throw new IllegalStateException("built-in wM-Bus driver resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
