package io.meterlink.drivers.testing;

import org.junit.jupiter.api.Assumptions;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.fail;

/** The one place tests read {@code CI}: a missing tool or corpus fails under {@code CI=true} (any case) and skips elsewhere. */
public final class Ci {
    private Ci() {
    }

    /** Whether the tests run under CI ({@code CI=true}, {@code TRUE}, …). */
    public static boolean active() {
        String ci = System.getenv("CI");
        return ci != null && "true".equals(ci.trim().toLowerCase(Locale.ROOT));
    }

    /** Fails with {@code why} under CI; skips the test with it otherwise. */
    public static void missing(String why) {
        if (active()) fail(why);
        Assumptions.abort(why);
    }
}
