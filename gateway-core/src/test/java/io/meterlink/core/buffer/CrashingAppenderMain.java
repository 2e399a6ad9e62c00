package io.meterlink.core.buffer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Child JVM for the crash test: appends forever and prints "C first last" once each append's
 * future completed (= committed). The test kills it with destroyForcibly().
 * With a second argument {@code sigterm}: queues 500 readings behind a 60 s group commit, closes
 * the buffer from a shutdown hook, prints "QUEUED" and waits for SIGTERM.
 */
public final class CrashingAppenderMain {

    private CrashingAppenderMain() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("sigterm")) {
            SqliteBuffer buffer = SqliteBuffer.open(
                    TestReadings.config(db, 256 * 1024 * 1024L, Duration.ofSeconds(60), 100_000, 20_000), TestReadings.ENCODER, Clock.systemUTC());
            Runtime.getRuntime().addShutdownHook(new Thread(buffer::close));
            buffer.append(TestReadings.billing(0, 500));
            System.out.println("QUEUED");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        SqliteBuffer buffer = SqliteBuffer.open(
                TestReadings.config(db, 256 * 1024 * 1024L, Duration.ofMillis(10), 200, 2000), TestReadings.ENCODER, Clock.systemUTC());
        System.out.println("READY");
        System.out.flush();
        int v = 0;
        while (true) {
            buffer.append(TestReadings.billing(v, 50)).thenAccept(seqs -> {
                synchronized (System.out) {
                    System.out.println("C " + seqs[0] + " " + seqs[seqs.length - 1]);
                    System.out.flush();
                }
            });
            v += 50;
        }
    }
}
