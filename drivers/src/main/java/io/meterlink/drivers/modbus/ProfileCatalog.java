package io.meterlink.drivers.modbus;

import io.meterlink.core.api.config.ConfigError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The meter profiles a gateway knows: those shipped in the jar ({@code profiles/INDEX} beside this
 * class lists them) and those a user dropped as {@code NAME.yaml} into a profile directory, which
 * win over a shipped one of the same name. Immutable once built.
 */
public final class ProfileCatalog {
    private static final String RESOURCES = "profiles/";
    /** Most profile files read from one directory. */
    static final int MAX_FILES = 1000;

    private final Map<String, MeterProfile> profiles;
    private final List<ConfigError> errors;

    private ProfileCatalog(Map<String, MeterProfile> profiles, List<ConfigError> errors) {
        this.profiles = Collections.unmodifiableMap(profiles);
        this.errors = List.copyOf(errors);
    }

    /** The shipped profiles only. */
    public static ProfileCatalog shipped() {
        return withDirectory(null);
    }

    /** The shipped profiles and every {@code *.yaml} in {@code directory} (when not {@code null}). */
    public static ProfileCatalog withDirectory(Path directory) {
        Map<String, MeterProfile> out = new TreeMap<>();
        List<ConfigError> errors = new ArrayList<>();
        for (String name : shippedNames()) {
            ProfileLoader.Result r = ProfileLoader.parse(Path.of(name + ".yaml"), resource(name + ".yaml"));
            if (!r.ok()) throw new IllegalStateException("shipped Modbus profile " + name + " is broken: " + r.errors());
            out.put(name, r.profile());
        }
        if (directory != null) {
            if (!Files.isDirectory(directory)) {
                errors.add(new ConfigError(directory.toString(), 0, "(file)", "no such directory"));
            } else {
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*.yaml")) {
                    for (Path p : ds) {
                        if (files.size() >= MAX_FILES) {
                            errors.add(new ConfigError(directory.toString(), 0, "(file)", "more than " + MAX_FILES + " profiles; the rest are not read"));
                            break;
                        }
                        files.add(p);
                    }
                } catch (IOException e) {
                    errors.add(new ConfigError(directory.toString(), 0, "(file)", "cannot list: " + e.getClass().getSimpleName()));
                }
                Collections.sort(files);
                for (Path p : files) {
                    ProfileLoader.Result r = ProfileLoader.load(p);
                    if (r.ok()) out.put(r.profile().name(), r.profile());
                    else errors.addAll(r.errors());
                }
            }
        }
        return new ProfileCatalog(out, errors);
    }

    /** The profile called {@code name}, or {@code null}. */
    public MeterProfile find(String name) { return profiles.get(name); }

    /** Every profile by name. */
    public Map<String, MeterProfile> all() { return profiles; }

    /** Problems with the user's profiles ({@code file:line: key: message}); those profiles are left out. */
    public List<ConfigError> errors() { return errors; }

    /** Names of the profiles shipped in the jar. */
    public static List<String> shippedNames() {
        List<String> names = new ArrayList<>();
        for (String line : resource("INDEX").split("\n")) {
            String n = line.strip();
            if (!n.isEmpty() && !n.startsWith("#")) names.add(n);
        }
        return names;
    }

    /** The text of a shipped profile file (for the simulator and tests). */
    public static String resource(String file) {
        try (InputStream in = ProfileCatalog.class.getResourceAsStream(RESOURCES + file)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCES + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
