package io.meterlink.drivers.wmbus;

import java.util.Arrays;

/** A growable byte buffer for framers: append at the end, consume at the front. Not thread-safe. */
final class ByteQueue {
    private byte[] buf = new byte[512];
    private int start;
    private int end;
    private long dropped;
    /** Bytes at the head that belong to a message already refused (see {@link #refuse}). */
    private int refused;

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

    void consume(int n) {
        int k = Math.min(n, size());
        start += k;
        refused = Math.max(0, refused - k);
    }

    /** The next {@code n} bytes belong to a message a framer refused: a false start among them is not a new message. */
    void refuse(int n) { refused = Math.max(refused, n); }

    /** Whether the head lies inside a refused message. */
    boolean inRefused() { return refused > 0; }

    /**
     * Drops the head byte after a quiet read timeout: the false start of a message that will never
     * complete (see {@link DongleFramer#idle()}).
     *
     * @return whether there was a byte to drop
     */
    boolean dropHead() {
        if (size() == 0) return false;
        consume(1);
        return true;
    }

    /** Bytes dropped because the buffer overflowed. */
    long dropped() { return dropped; }
}
