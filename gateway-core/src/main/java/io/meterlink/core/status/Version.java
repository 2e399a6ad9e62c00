package io.meterlink.core.status;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Meterlink's version, from the gateway-core jar's Maven descriptor ({@code dev} when run from classes). */
public final class Version {
    private static final String DESCRIPTOR = "/META-INF/maven/io.meterlink/gateway-core/pom.properties";

    private Version() {
    }

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream(DESCRIPTOR)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) return v;
            }
        } catch (IOException e) {
            // fall through
        }
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
