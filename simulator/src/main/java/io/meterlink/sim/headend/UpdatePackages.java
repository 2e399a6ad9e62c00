package io.meterlink.sim.headend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Software update packages for tests and scenarios: another release of the real jar, and one that cannot start. */
public final class UpdatePackages {
    private UpdatePackages() {
    }

    /** The real gateway jar with one more entry naming {@code release}: the same program with another SHA-256. */
    public static Path variant(Path jar, Path out, String release) throws IOException {
        try (JarFile in = new JarFile(jar.toFile()); OutputStream o = Files.newOutputStream(out);
             JarOutputStream jo = new JarOutputStream(o, in.getManifest())) {
            for (JarEntry e : Collections.list(in.entries())) {
                if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/")) continue;
                jo.putNextEntry(new JarEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(jo);
                }
                jo.closeEntry();
            }
            jo.putNextEntry(new JarEntry("META-INF/meterlink-release.txt"));
            jo.write(release.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jo.closeEntry();
        }
        return out;
    }

    /** A jar whose {@code Main-Class} does not exist: the JVM exits at once, as a broken release would. */
    public static Path broken(Path out) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.meterlink.missing.Main");
        try (JarOutputStream jo = new JarOutputStream(Files.newOutputStream(out), m)) {
            jo.putNextEntry(new JarEntry("README"));
            jo.write("this release cannot start".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jo.closeEntry();
        }
        return out;
    }
}
