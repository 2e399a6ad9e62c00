package io.meterlink.drivers.iec62056.dlms;

import io.meterlink.core.api.driver.DecodeException;

/**
 * A DLMS/COSEM application-layer failure (IEC 62056-5-3) with the reason and, for a refused object
 * access or association, the code the meter sent; counted by {@link #kind()} like any bad input.
 */
public final class DlmsException extends DecodeException {
    /** What the meter refused or what was wrong with its answer. */
    public enum Reason {
        /** AARE with result rejected (diagnostic in {@link #code()}); authentication failures are {@code AUTHENTICATION} */
        ASSOCIATION_REFUSED(Kind.OTHER),
        /** AARE refused for the password (acse-service-user diagnostics 13 authentication-failure, 14 authentication-required) */
        AUTHENTICATION(Kind.AUTHENTICATION),
        /** a GET answered with a data-access-result other than success (the result in {@link #code()}) */
        DATA_ACCESS(Kind.UNSUPPORTED),
        /** confirmed-service-error or exception-response */
        SERVICE_ERROR(Kind.UNSUPPORTED),
        /** block numbers out of order, or more blocks or bytes than accepted */
        BLOCK_TRANSFER(Kind.LENGTH),
        /** a malformed APDU or A-XDR value, or one cut short */
        SYNTAX(Kind.SYNTAX);

        private final Kind kind;

        Reason(Kind kind) { this.kind = kind; }
    }

    private final Reason reason;
    private final int code;

    public DlmsException(Reason reason, int code, String message) {
        super(reason.kind, "dlms " + reason.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
        this.reason = reason;
        this.code = code;
    }

    public static DlmsException syntax(String message) { return new DlmsException(Reason.SYNTAX, -1, message); }

    public Reason reason() { return reason; }

    /** The meter's result or diagnostic code, or -1. */
    public int code() { return code; }
}
