package io.meterlink.core.api.driver;

/**
 * Bad bytes from a meter or a line: a frame that cannot be framed, checked or decoded. Typed by
 * {@link Kind} so that the caller can count it and react; carries where it came from when known.
 * Never means the gateway is broken: the frame is dropped and counted, other meters go on.
 */
public class DecodeException extends Exception {
    /** Why a frame was refused; the name (lower case) is the counter key in status. */
    public enum Kind {
        CHECKSUM, LENGTH, TRUNCATED, SYNTAX, UNSUPPORTED, VALUE_RANGE, NO_KEY, WRONG_KEY, AUTHENTICATION, REPLAY, OTHER
    }

    private final Kind kind;
    private final String meter;

    public DecodeException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public DecodeException(Kind kind, String message, String meter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.meter = meter;
    }

    public Kind kind() { return kind; }

    /** Meter address or id when known (e.g. {@code primary 5} or {@code mbus:KAM:12345678}), else {@code null}. */
    public String meter() { return meter; }
}
