package io.meterlink.drivers.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Locates the shared third-party test data (system property {@code meterlink.testdata}). */
public final class TestData {
    private TestData() {}

    /** The folder, or a skip (outside CI) / failure (CI=true) when it is absent. */
    public static Path folder(String name) {
        String base = System.getProperty("meterlink.testdata", System.getenv("METERLINK_TESTDATA"));
        Path p = base == null ? null : Path.of(base, name);
        if (p == null || !Files.isDirectory(p)) {
            String msg = "shared test data folder " + name + " not found (meterlink.testdata=" + base + ")";
            if (Ci.active()) fail(msg);
            Assumptions.abort(msg);
        }
        return p;
    }
}
