package io.meterlink.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runnable jar carries native libraries only for the platforms the gateway runs on (issue 15;
 * sizes in docs/benchmarks.md): SQLite for linux x86_64, aarch64 and armv7; serial, notify socket and
 * GPIO natives for Linux x86_64 and the Pi's ARM variants. A new platform directory in a library
 * upgrade shows up here.
 */
class RunnableJarIT {
    private static final Path JAR = Path.of("target/meterlink.jar");

    @Test
    void nativeLibraries_onlyForTheGatewaysLinuxPlatforms() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the jar first (mvn verify)");
        Set<String> natives = new TreeSet<>();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            zip.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib") || n.endsWith(".a"))
                    .map(n -> n.substring(0, n.lastIndexOf('/')))
                    .forEach(natives::add);
        }
        assertEquals(new TreeSet<>(Set.of(
                "org/sqlite/native/Linux/x86_64", "org/sqlite/native/Linux/aarch64", "org/sqlite/native/Linux/armv7",
                "Linux/x86_64", "Linux/armv8_64", "Linux/armv8_32", "Linux/armv7hf", "Linux/armv6hf",
                "lib/amd64-Linux-clang/jni", "lib/aarch64-Linux-clang/jni", "lib/arm-Linux-clang/jni",
                "lib/aarch64/pi4j-gpiod", "lib/armhf/pi4j-gpiod")), natives);
    }
}
