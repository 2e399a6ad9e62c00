package io.meterlink.drivers.wmbus;

import java.util.Arrays;

/** A growable byte buffer for framers: append at the end, consume at the front. Not thread-safe. */
final class ByteQueue {
    private byte[] buf = new byte[512];
    private int start;
    private int end;
    private long dropped;

    void append(byte[] b, int n) {
        if (end + n > buf.length) {
            int size = end - start;
            if (size + n > buf.length) buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, size + n));
            else System.arraycopy(buf, start, buf, 0, size);
            start = 0;
            end = size;
        }
        System.arraycopy(b, 0, buf, end, n);
        end += n;
        int over = size() - DongleFramer.MAX_BUFFER;
        if (over > 0) {
            start += over;
            dropped += over;
        }
    }

    int size() { return end - start; }

    int get(int i) { return buf[start + i] & 0xFF; }

    byte[] copy(int from, int to) { return Arrays.copyOfRange(buf, start + from, start + to); }

    void consume(int n) { start += Math.min(n, size()); }

    /** Bytes dropped because the buffer overflowed. */
    long dropped() { return dropped; }
}
