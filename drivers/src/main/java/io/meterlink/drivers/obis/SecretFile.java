package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;

/**
 * A file of secrets (meter keys, meter passwords): one secret per line, blank lines and {@code #}
 * comments skipped; refused unless readable by its owner only ({@code chmod 600}). Problems are
 * recorded in the settings under {@code key}; the secrets are never echoed.
 */
public final class SecretFile {
    private SecretFile() {}

    /** The secrets of {@code file}, 1 to {@code maxLines} of them, or {@code null} after recording the problem. */
    public static List<Secret> read(Settings s, String key, Path file, int maxLines, String what) {
        try {
            for (PosixFilePermission p : Files.getPosixFilePermissions(file)) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    s.error(key, file + " must be readable by its owner only (chmod 600)");
                    return null;
                }
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (lines.isEmpty() || lines.size() > maxLines) {
                s.error(key, file + " must hold " + what);
                return null;
            }
            return lines.stream().map(Secret::of).toList();
        } catch (UnsupportedOperationException e) {
            s.error(key, "cannot check the permissions of " + file);
            return null;
        } catch (IOException e) {
            s.error(key, "cannot read " + file + ": " + e.getClass().getSimpleName());
            return null;
        }
    }
}
