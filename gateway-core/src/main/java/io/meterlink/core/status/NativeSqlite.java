package io.meterlink.core.status;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Which sqlite-jdbc native library this JVM loaded: the platform folder sqlite-jdbc chose inside
 * its jar and the file it mapped (read from {@code /proc/self/maps}, which user-mode emulators such
 * as qemu-user also fill in for the emulated process). One line for start-up logs and the ARM proof.
 */
public final class NativeSqlite {
    private NativeSqlite() {
    }

    /** {@code os.arch aarch64, sqlite native /tmp/…libsqlitejdbc.so (Linux/aarch64)}, loading the native if needed. */
    public static String describe() {
        String arch = System.getProperty("os.arch");
        String folder;
        boolean nativeMode;
        try {
            nativeMode = SQLiteJDBCLoader.initialize() && SQLiteJDBCLoader.isNativeMode();
            folder = OSInfo.getNativeLibFolderPathForCurrentOS();
        } catch (Exception e) {
            return "os.arch " + arch + ", sqlite native not loaded: " + e.getMessage();
        }
        if (!nativeMode) return "os.arch " + arch + ", sqlite native not loaded (pure Java mode)";
        return "os.arch " + arch + ", sqlite native " + mappedLibrary() + " (" + folder + ")";
    }

    private static String mappedLibrary() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return "(no /proc/self/maps)";
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.contains("sqlitejdbc"))
                    .findFirst().orElse("(not mapped)");
        } catch (IOException | RuntimeException e) {
            return "(unreadable maps: " + e.getMessage() + ")";
        }
    }
}
