package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

/**
 * Cuts a text stream into lines (CR, LF or both end a line) for the text framers, bounded: a line
 * longer than {@value #MAX_LINE} characters is dropped with a typed error. Not thread-safe.
 */
final class TextLines {
    static final int MAX_LINE = 2048;
    private final StringBuilder line = new StringBuilder();
    private final ByteQueue in = new ByteQueue();
    private boolean overlong;

    void feed(byte[] bytes, int length) { in.append(bytes, length); }

    /** The next non-empty line, trimmed, or {@code null} when more input is needed. */
    String next() throws DecodeException {
        while (in.size() > 0) {
            int c = in.get(0);
            in.consume(1);
            if (c != '\n' && c != '\r') {
                if (line.length() < MAX_LINE) line.append((char) c);
                else overlong = true;
                continue;
            }
            String text = line.toString().trim();
            line.setLength(0);
            if (overlong) {
                overlong = false;
                throw new DecodeException(Kind.LENGTH, "text line longer than " + MAX_LINE + " characters");
            }
            if (!text.isEmpty()) return text;
        }
        return null;
    }
}
