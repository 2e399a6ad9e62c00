package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.OwnerOnlyFile;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A file of secrets (meter keys, meter passwords): one secret per line, blank lines and {@code #}
 * comments skipped; refused unless {@link OwnerOnlyFile} finds it owner-only. Problems are recorded
 * in the settings under {@code key}; the secrets are never echoed.
 */
public final class SecretFile {
    private SecretFile() {}

    /** The secrets of {@code file}, 1 to {@code maxLines} of them, or {@code null} after recording the problem. */
    public static List<Secret> read(Settings s, String key, Path file, int maxLines, String what) {
        byte[] raw;
        try {
            raw = OwnerOnlyFile.readBytes(file);
        } catch (IOException e) {
            s.error(key, e.getMessage());
            return null;
        }
        try {
            List<String> lines = new String(raw, StandardCharsets.US_ASCII).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (lines.isEmpty() || lines.size() > maxLines) {
                s.error(key, file + " must hold " + what);
                return null;
            }
            return lines.stream().map(Secret::of).toList();
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
