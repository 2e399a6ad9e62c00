package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.OwnerOnlyFile;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file of secrets (meter keys, meter passwords): one secret per line, blank lines and {@code #}
 * comments skipped, spaces around a secret dropped; refused unless {@link OwnerOnlyFile} finds it
 * owner-only. A secret holds printable ASCII only (the meters' protocols send it as such bytes): a line
 * with any other byte (UTF-8, Latin-1, a control character) is refused at load, naming the file and the
 * line number. Problems are recorded in the settings under {@code key}; the secrets are never echoed,
 * and no {@link String} of them is made (the file's bytes and each line's characters are wiped).
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
            List<Secret> out = new ArrayList<>();
            int line = 0;
            for (int start = 0; start < raw.length; ) {
                int end = start;
                while (end < raw.length && raw[end] != '\n') end++;
                line++;
                int from = start, to = end;
                start = end + 1;
                while (from < to && blank(raw[from])) from++;
                while (to > from && blank(raw[to - 1])) to--;
                if (from == to || raw[from] == '#') continue;
                if (!printableAscii(raw, from, to)) {
                    s.error(key, file + " line " + line + " holds a character that is not printable ASCII (the line is not shown)");
                    return null;
                }
                if (out.size() == maxLines) {
                    s.error(key, file + " must hold " + what);
                    return null;
                }
                char[] secret = new char[to - from];
                for (int i = from; i < to; i++) secret[i - from] = (char) raw[i];
                out.add(Secret.of(secret));
                Arrays.fill(secret, '\0');
            }
            if (out.isEmpty()) {
                s.error(key, file + " must hold " + what);
                return null;
            }
            return out;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Space, tab and the line-end and page characters around a secret. */
    private static boolean blank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == 0x0B;
    }

    private static boolean printableAscii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0x20 || b[i] > 0x7E) return false; // bytes above 0x7F are negative
        }
        return true;
    }
}
