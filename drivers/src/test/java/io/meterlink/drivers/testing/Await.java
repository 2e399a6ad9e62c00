package io.meterlink.drivers.testing;

import java.util.function.BooleanSupplier;

/** Waiting for a driver's thread in tests: polls a condition, fails with the state after 10 s. */
public final class Await {
    private Await() {
    }

    public static void until(BooleanSupplier condition, String what, Object state) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what + ": " + state);
            Thread.sleep(10);
        }
    }
}
