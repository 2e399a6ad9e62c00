package io.meterlink.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Class data sharing (docs/packaging.md, "Memory"): the package build's class list and archive, and the
 * launcher ({@code src/main/packaging/meterlink}) with a release's archive that is right, garbage or stale.
 * The archive is made as the package's postinst makes it. Needs the build's class list (mvn package
 * without -Dcds.skip=true): fails without it under CI=true, skipped otherwise.
 */
class ClassDataSharingIT {
    static final Path JAR = Path.of("target/meterlink.jar").toAbsolutePath();
    private static final Path CLASS_LIST = Path.of("target/meterlink.classlist").toAbsolutePath();
    private static final Path BUILD_ARCHIVE = Path.of("target/meterlink.jsa").toAbsolutePath();
    static final Path LAUNCHER = Path.of("src/main/packaging/meterlink").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @BeforeAll
    static void built() {
        if (!Files.isRegularFile(CLASS_LIST) || !Files.isRegularFile(BUILD_ARCHIVE)) {
            String why = "no " + CLASS_LIST + " / " + BUILD_ARCHIVE + " (packaged with -Dcds.skip=true?)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
    }

    @Test
    void buildArchive_holdsTheGatewaysClasses_andThisJavaLoadsThemFromIt() throws Exception {
        String classes = Files.readString(CLASS_LIST);
        List<String> expected = new java.util.ArrayList<>(List.of("io/meterlink/cli/Main", "io/meterlink/core/buffer/SqliteBuffer",
                "org/sqlite/JDBC", "io/meterlink/core/uplink/MqttUplink", "com/fasterxml/jackson/core/JsonFactory"));
        if (TechnicianEndpointRunIT.onPath("openssl") != null) {
            // the training's TLS peer (cds-archive.sh): the handshake and the connected uplink are in the list
            expected.addAll(List.of("sun/security/ssl/CertificateVerify", "org/eclipse/paho/mqttv5/client/internal/CommsSender"));
        } else if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("openssl is not on the PATH: .ci/run installs it for the training run's TLS peer");
        }
        for (String c : expected) {
            assertTrue(classes.lines().anyMatch(l -> l.startsWith(c + " ") || l.equals(c)), c + " in the class list");
        }
        Result r = run(List.of(JAVA, "-Xshare:on", "-XX:SharedArchiveFile=" + BUILD_ARCHIVE, "-Xlog:class+load=info",
                "-jar", JAR.toString(), "--version"), List.of());
        assertEquals(0, r.code, r.stderr);
        assertTrue(r.stdout.lines().anyMatch(l -> l.contains(" io.meterlink.cli.Main source: shared objects file")), r.stdout);
    }

    @Test
    void launcher_usesTheReleasesArchive_andSkipsAGarbageOrStaleOne(@TempDir Path dir) throws Exception {
        Path releases = Files.createDirectories(dir.resolve("releases"));
        Path release = Files.createDirectories(releases.resolve("1.0"));
        Files.copy(JAR, release.resolve("meterlink.jar"));
        Files.createSymbolicLink(releases.resolve("current"), Path.of("1.0"));
        Path current = releases.resolve("current/meterlink.jar");
        Path archive = release.resolve("meterlink.jsa");
        // as postinst makes it: the class list, this Java, the path the launcher runs
        Result dump = run(List.of(JAVA, "-Xshare:dump", "-XX:SharedClassListFile=" + CLASS_LIST, "-XX:SharedArchiveFile=" + archive,
                "-Xlog:disable", "-cp", current.toString()), List.of());
        assertEquals(0, dump.code, dump.stdout + dump.stderr);

        Result used = launcher(releases, "-Xlog:class+load=info:file=" + dir.resolve("classes.log"));
        assertEquals(0, used.code, used.stderr);
        assertTrue(Files.readAllLines(dir.resolve("classes.log")).stream()
                .anyMatch(l -> l.contains(" io.meterlink.cli.Main source: shared objects file")), "Main came from the archive");

        Files.setLastModifiedTime(current, FileTime.fromMillis(Files.getLastModifiedTime(current).toMillis() - 60_000));
        Result stale = launcher(releases, "-Xlog:class+load=info:file=" + dir.resolve("stale.log"));
        assertEquals(0, stale.code, stale.stderr);
        assertVersionOnly(stale);
        assertTrue(Files.readAllLines(dir.resolve("stale.log")).stream()
                .anyMatch(l -> l.contains(" io.meterlink.cli.Main source: jar:file:") || l.contains(" io.meterlink.cli.Main source: file:")),
                "a jar changed since the archive was made: its classes come from the jar");

        Files.write(archive, new byte[64 * 1024]);
        Result garbage = launcher(releases, "");
        assertEquals(0, garbage.code, garbage.stderr);
        assertVersionOnly(garbage);
    }

    /** The command's output is the version and nothing of the JVM's (warnings go to stderr). */
    private static void assertVersionOnly(Result r) {
        assertTrue(r.stdout.startsWith("meterlink "), r.stdout);
        assertFalse(r.stdout.contains("[warning]") || r.stdout.contains("[error"), r.stdout);
    }

    private static Result launcher(Path releases, String javaOpts) throws Exception {
        List<String> env = new ArrayList<>(List.of("METERLINK_RELEASES=" + releases, "JAVA_HOME=" + System.getProperty("java.home")));
        if (!javaOpts.isEmpty()) env.add("METERLINK_JAVA_OPTS=-Xmx64m " + javaOpts);
        return run(List.of("/bin/sh", LAUNCHER.toString(), "--version"), env);
    }

    record Result(int code, String stdout, String stderr) {
    }

    static Result run(List<String> cmd, List<String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("METERLINK_JAVA_OPTS");
        for (String e : env) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        Path out = Files.createTempFile("cds-", ".out");
        Path err = Files.createTempFile("cds-", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(cmd + " did not finish within 300 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
