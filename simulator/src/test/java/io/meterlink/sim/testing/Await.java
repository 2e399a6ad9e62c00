package io.meterlink.sim.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting for an event in the simulator's tests: polls a condition until it holds, fails after 60 s. */
public final class Await {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private Await() {
    }

    public static void until(BooleanSupplier condition) throws InterruptedException {
        until(condition, () -> "");
    }

    /** As {@link #until(BooleanSupplier)}; the failure message ends with {@code state}, read when the time is up. */
    public static void until(BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("condition not met within 60 s " + state.get());
            Thread.sleep(10);
        }
    }
}
