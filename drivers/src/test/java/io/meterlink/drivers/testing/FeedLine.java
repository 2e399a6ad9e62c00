package io.meterlink.drivers.testing;

import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.ArrayDeque;

/** An in-memory line that hands out queued chunks, one per read, for unit tests of listening drivers. */
public final class FeedLine implements Transport {
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private volatile boolean open;
    /** How often the driver opened the line. */
    public volatile int opens;
    /** When set, the next read fails once (an unplugged adapter), to test the reopen. */
    public volatile boolean failOnce;
    /** When set, the next read throws it once (a port that vanishes surfacing as an unchecked exception). */
    public volatile RuntimeException failUncheckedOnce;

    @Override public void open() { open = true; opens++; }
    @Override public boolean isOpen() { return open; }
    @Override public void write(byte[] bytes) {}

    @Override
    public synchronized int read(byte[] buf, int timeoutMillis) throws IOException {
        if (failOnce) {
            failOnce = false;
            throw new IOException("unplugged");
        }
        RuntimeException unchecked = failUncheckedOnce;
        if (unchecked != null) {
            failUncheckedOnce = null;
            throw unchecked;
        }
        byte[] c = chunks.poll();
        if (c == null) {
            try {
                wait(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            return 0;
        }
        System.arraycopy(c, 0, buf, 0, c.length);
        return c.length;
    }

    @Override public void drainInput() {}
    @Override public String describe() { return "feed"; }
    @Override public void close() { open = false; }

    /** Queues {@code bytes} as reads of at most {@code chunk} bytes each. */
    public synchronized void add(byte[] bytes, int chunk) {
        for (int i = 0; i < bytes.length; i += Math.min(chunk, bytes.length - i)) chunks.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk)));
    }

    /** Queues one hex line (the hexlines dongle format). */
    public void line(byte[] frame) { add((java.util.HexFormat.of().formatHex(frame) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), Integer.MAX_VALUE); }

    public synchronized boolean drained() { return chunks.isEmpty(); }
}
