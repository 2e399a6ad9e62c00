package io.meterlink.core.buffer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Child JVM for the crash test: appends forever and prints "C first last" once each append's
 * future completed (= committed). The test kills it with destroyForcibly().
 */
public final class CrashingAppenderMain {

    private CrashingAppenderMain() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
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
