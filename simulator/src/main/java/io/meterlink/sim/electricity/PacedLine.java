package io.meterlink.sim.electricity;

import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The meter end of a serial line that keeps the line's speed, which a pseudo-terminal does not: each
 * character takes 10 bits (start, 7 data, parity, stop; or 8 data and stop) at the current baud rate.
 * Writes go out in chunks of about 10 ms, each when the characters before it would have left, and return
 * when the last one would have; a read returns its characters no earlier than they would have arrived
 * after the characters before them. The line is half-duplex: a write begins after the last character
 * read or written. Not thread-safe (one endpoint thread).
 */
final class PacedLine implements Transport {
    private final Transport line;
    private int baud = 300;
    /** When (System.nanoTime) the last character read or written is through. */
    private long busyUntil;

    PacedLine(Transport line) { this.line = line; }

    private long charNanos() { return 10_000_000_000L / baud; }

    @Override
    public void write(byte[] bytes) throws IOException {
        int chunk = Math.max(1, baud / 1000); // about 10 ms of characters
        long start = Math.max(System.nanoTime(), busyUntil);
        try {
            for (int i = 0; i < bytes.length; i += chunk) {
                sleepUntil(start + i * charNanos());
                line.write(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk)));
            }
            busyUntil = start + bytes.length * charNanos();
            sleepUntil(busyUntil);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing", e);
        }
    }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        long before = System.nanoTime();
        int n = line.read(buf, timeoutMillis);
        if (n > 0) {
            long now = System.nanoTime();
            // waited for them: they began to arrive now; there already: they follow the characters before them
            // (so a late wake-up of this thread does not delay the line)
            long start = now - before > 2_000_000 ? now : Math.max(busyUntil, before - charNanos());
            busyUntil = start + n * charNanos();
            try {
                sleepUntil(busyUntil);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading", e);
            }
        }
        return n;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    @Override
    public void setBaud(int baud) throws IOException {
        line.setBaud(baud);
        this.baud = baud;
    }

    @Override public void open() throws IOException { line.open(); }

    @Override public boolean isOpen() { return line.isOpen(); }

    @Override public void drainInput() throws IOException { line.drainInput(); }

    @Override public String describe() { return line.describe() + " (paced)"; }

    @Override public void close() { line.close(); }
}
