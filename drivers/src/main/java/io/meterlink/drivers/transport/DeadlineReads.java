package io.meterlink.drivers.transport;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Reads from a line against an overall deadline as well as each read's own timeout. A device that sends
 * one byte just inside the read timeout, again and again, would otherwise hold the line (and the poll
 * cycle) for ever, and keep the service watchdog quiet too, since every read that brings bytes is
 * progress. After {@link #begin} each read waits at most its timeout and never past the deadline; past it
 * {@link #read} answers {@link #OVERDUE} and the caller ends in its own typed timeout. Every read that brings
 * bytes calls {@code progress} (the driver's heartbeat). Used by one thread.
 */
public final class DeadlineReads {
    /** What {@link #read} answers once the deadline has passed. */
    public static final int OVERDUE = -1;
    /** Bits of one character on the line: start, 8 data (or 7 and parity), stop. */
    private static final long BITS_PER_CHAR = 10;

    private final Transport line;
    private final Runnable progress;
    private final LongSupplier nanoClock;
    private long deadline, budget;

    /**
     * @param progress  called after every read that brought bytes (cheap: a heartbeat's beat)
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; a simulated clock in tests)
     */
    public DeadlineReads(Transport line, Runnable progress, LongSupplier nanoClock) {
        this.line = line;
        this.progress = progress;
        this.nanoClock = nanoClock;
    }

    /** A deadline for {@code bytes} at {@code baud}: {@code timeoutMs} for the first, then twice the character time of all of them. */
    public static long budgetNanos(int timeoutMs, long bytes, int baud) {
        if (baud <= 0) throw new IllegalArgumentException("baud " + baud);
        return timeoutMs * 1_000_000L + 2 * bytes * (1_000_000_000L * BITS_PER_CHAR / baud);
    }

    /** Starts a deadline {@code budgetNanos} from now for the reads that follow. */
    public void begin(long budgetNanos) {
        budget = budgetNanos;
        deadline = nanoClock.getAsLong() + budgetNanos;
    }

    /** The budget given to the last {@link #begin}, for the caller's timeout message. */
    public long budgetNanos() { return budget; }

    /**
     * Reads up to {@code buf.length} bytes, waiting at most {@code timeoutMs} and never past the deadline.
     *
     * @return the bytes read, 0 when the line stayed silent for {@code timeoutMs}, or {@link #OVERDUE} when the
     *         deadline had passed or the wait it cut short brought nothing
     */
    public int read(byte[] buf, int timeoutMs) throws IOException {
        long leftMs = (deadline - nanoClock.getAsLong()) / 1_000_000;
        if (leftMs <= 0) return OVERDUE;
        int wait = (int) Math.min(timeoutMs, leftMs);
        int n = line.read(buf, wait);
        if (n <= 0) return wait < timeoutMs ? OVERDUE : 0;
        progress.run();
        return n;
    }
}
