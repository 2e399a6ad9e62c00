package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.core.api.driver.DecodeException;

/**
 * A bad or refused HDLC frame (IEC 62056-46), with the reason a caller reacts to; counted by its
 * {@link #kind()} like any bad input. The session it happened in is abandoned, never the line.
 */
public final class HdlcException extends DecodeException {
    /** What was wrong with the frame or the exchange. */
    public enum Reason {
        /** the header check sequence does not match (§8.4.1.5) */
        HCS(Kind.CHECKSUM),
        /** the frame check sequence does not match (§8.4.1.5) */
        FCS(Kind.CHECKSUM),
        /** frame ends before its length or its closing flag */
        TRUNCATED(Kind.TRUNCATED),
        /** the length field exceeds what was negotiated or what fits (§8.4.1.2) */
        LENGTH(Kind.LENGTH),
        /** not frame format type 3, or a malformed address or control field */
        FORMAT(Kind.SYNTAX),
        /** a frame for another station or from another peer than the one addressed */
        ADDRESS(Kind.SYNTAX),
        /** the peer answered FRMR (frame reject, §8.4.3.5) */
        FRAME_REJECT(Kind.OTHER),
        /** the peer answered DM (disconnected mode): it refuses the connection or lost it */
        DISCONNECTED(Kind.OTHER),
        /** an unexpected frame type, or send/receive sequence numbers that do not follow on */
        SEQUENCE(Kind.SYNTAX),
        /** the peer stayed busy (RNR) or silent */
        TIMEOUT(Kind.TRUNCATED);

        private final Kind kind;

        Reason(Kind kind) { this.kind = kind; }
    }

    private final Reason reason;

    public HdlcException(Reason reason, String message) {
        super(reason.kind, "hdlc " + reason.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
