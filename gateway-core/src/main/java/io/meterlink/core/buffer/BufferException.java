package io.meterlink.core.buffer;

/**
 * The buffer could not do what was asked: the database file cannot be opened at all, another
 * process holds it, the sequence sidecar cannot be written, or a transaction failed.
 *
 * <p>Unchecked: callers of {@link SqliteBuffer#open} at start-up let it end the start-up with a
 * clear message; futures returned by {@link Buffer#append} complete exceptionally with it.
 */
public class BufferException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BufferException(String message) {
        super(message);
    }

    public BufferException(String message, Throwable cause) {
        super(message, cause);
    }
}
