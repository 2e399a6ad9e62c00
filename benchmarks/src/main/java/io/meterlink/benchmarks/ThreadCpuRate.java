package io.meterlink.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Operations per second of the CPU time one benchmark thread was given, printed per iteration as a
 * {@code [cpu]} line: on a machine shared with other builds the wall-clock score is only a floor.
 * Used by one benchmark thread.
 */
final class ThreadCpuRate {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private long ops;
    private long cpuAtStart;

    /** At the start of an iteration. */
    void start() {
        ops = 0;
        cpuAtStart = THREADS.getCurrentThreadCpuTime();
    }

    /** One operation done. */
    void count() { ops++; }

    /** At the end of an iteration: prints the {@code [cpu]} line. */
    void stop() {
        long used = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
        if (used > 0) System.out.printf("  [cpu] %,d ops in %,d ms of this thread's CPU time: %,.0f ops per CPU second%n", ops, used / 1_000_000, ops * 1e9 / used);
    }
}
