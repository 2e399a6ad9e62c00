package io.meterlink.payload;

/**
 * A message that is not a readings payload of a format and version this library reads: the reason
 * says what is wrong and where ({@link Kind}). Never thrown for valid input.
 */
public final class PayloadException extends Exception {

    /** What kind of fault. */
    public enum Kind {
        /** The leading byte names no format this library knows (or the message is empty). */
        UNKNOWN_FORMAT,
        /** The compressed body does not inflate, or inflates beyond the limit. */
        COMPRESSION,
        /** Not well-formed CBOR or JSON. */
        SYNTAX,
        /** Well-formed, but a field is missing, of the wrong type or out of range. */
        CONTENT
    }

    private final Kind kind;

    public PayloadException(Kind kind, String message) {
        this(kind, message, null);
    }

    public PayloadException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
