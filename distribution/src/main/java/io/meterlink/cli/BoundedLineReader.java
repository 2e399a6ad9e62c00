package io.meterlink.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads text lines (ended by LF, CR LF or CR; ASCII or UTF-8) of at most {@code maxBytes} bytes from
 * a stream. A longer line is not kept: its bytes are counted and skipped up to its end, and it is
 * returned as {@link Line#tooLong()} with its length, so one huge line costs no memory and the next
 * line is read as usual. Not thread-safe.
 */
final class BoundedLineReader implements AutoCloseable {
    /** The bound {@code meterlink decode} uses: far above any M-Bus frame in hex (255 bytes = 510 digits). */
    static final int DEFAULT_MAX_BYTES = 64 * 1024;

    /** One line: its text, or (when longer than the bound) only its length in bytes. */
    record Line(String text, long length) {
        boolean tooLong() { return text == null; }
    }

    private final InputStream in;
    private final int maxBytes;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
    private final byte[] chunk = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean pendingLf;

    BoundedLineReader(InputStream in, int maxBytes) {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive");
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or {@code null} at the end of the stream. */
    Line next() throws IOException {
        buf.reset();
        long length = 0;
        while (true) {
            if (pos == limit) {
                limit = in.read(chunk, 0, chunk.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    pendingLf = false;
                    return length == 0 ? null : line(length);
                }
            }
            if (pendingLf) { // the LF of a CR LF pair ends nothing more
                pendingLf = false;
                if (chunk[pos] == '\n') pos++;
                continue;
            }
            int start = pos;
            while (pos < limit && chunk[pos] != '\n' && chunk[pos] != '\r') pos++;
            int n = pos - start;
            if (length + n <= maxBytes) {
                buf.write(chunk, start, n);
            } else if (length < maxBytes) {
                buf.write(chunk, start, (int) (maxBytes - length));
            }
            length += n;
            if (pos < limit) { // a line end
                pendingLf = chunk[pos] == '\r';
                pos++;
                return line(length);
            }
        }
    }

    private Line line(long length) {
        if (length > maxBytes) return new Line(null, length);
        return new Line(buf.toString(StandardCharsets.UTF_8), length);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
