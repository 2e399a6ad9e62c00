package io.meterlink.provisioning.tech;

import java.util.Objects;

/**
 * A technician request that a service hook refused, with the reason the client is told (never a
 * secret). The endpoint maps {@link Kind} to a CoAP response code (RFC 7252 §5.9).
 */
public final class TechRequestException extends Exception {
    /** Why the request was refused. */
    public enum Kind {
        /** Malformed or invalid request (4.00). */
        BAD_REQUEST,
        /** The named thing does not exist (4.04). */
        NOT_FOUND,
        /** Valid but refused in the current state, e.g. an older bundle version (4.09). */
        CONFLICT,
        /** The gateway cannot do it now (5.03). */
        UNAVAILABLE,
        /** Not available in this build yet (5.01). */
        NOT_IMPLEMENTED,
        /** The operation failed (5.00). */
        FAILED,
        /** Something the gateway waited for did not answer in time, e.g. a meter (5.04). */
        TIMEOUT
    }

    private final Kind kind;

    public TechRequestException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public TechRequestException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() { return kind; }
}
