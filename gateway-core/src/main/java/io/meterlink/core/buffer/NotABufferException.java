package io.meterlink.core.buffer;

/**
 * {@code buffer.path} names something that is not a buffer database: not a regular file, not an
 * SQLite file, or an SQLite database of another application. A configuration error: the file is
 * never checked, renamed or written, and restarting cannot help.
 */
public final class NotABufferException extends BufferException {

    private static final long serialVersionUID = 1L;

    public NotABufferException(String message) {
        super(message);
    }
}
