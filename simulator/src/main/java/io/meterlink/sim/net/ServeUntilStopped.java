package io.meterlink.sim.net;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * What the standalone serving commands ({@code meterlink-sim meters}, {@code electricity}) share: start,
 * exit 2 with the message for a bad option, else serve until the JVM is stopped (Ctrl-C), then close.
 */
public final class ServeUntilStopped {
    /** Starts what a command serves; an {@link IllegalArgumentException} names a bad option. */
    public interface Start {
        AutoCloseable start(PrintStream err) throws Exception;
    }

    private ServeUntilStopped() {}

    /** The command's exit code: 2 for a bad option, 0 once stopped. */
    public static int run(Start start, String name) throws Exception {
        AutoCloseable running;
        try {
            running = start.start(System.err);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            stopped.countDown();
        }, name + "-stop"));
        System.err.println("running; Ctrl-C stops");
        stopped.await();
        return 0;
    }
}
