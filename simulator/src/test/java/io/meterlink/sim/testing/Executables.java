package io.meterlink.sim.testing;

import io.meterlink.drivers.testing.Ci;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** External tools the simulator's tests run (socat, mbpoll, …). */
public final class Executables {
    private Executables() {
    }

    /** Path of an executable on PATH; fails under CI=true when missing, else skips the test. */
    public static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        String msg = name + " is not installed (apt-get install " + name + ")";
        if (Ci.active()) fail(msg);
        Assumptions.abort(msg);
        return null;
    }
}
