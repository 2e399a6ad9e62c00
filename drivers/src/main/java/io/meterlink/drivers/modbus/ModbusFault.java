package io.meterlink.drivers.modbus;

import io.meterlink.core.api.driver.DecodeException;

import java.util.Locale;

/**
 * Why one Modbus request got no usable answer, typed so that it can be counted and reacted to.
 * Exception responses carry the slave's exception code (Modbus application protocol v1.1b3 §7);
 * the others are what the master saw on the line (Modbus serial line v1.02 §2.5: CRC, framing,
 * silence). Each maps to the gateway-wide {@link DecodeException.Kind} counted in status.
 */
public enum ModbusFault {
    /** Exception code 01: the slave does not support the function code. */
    ILLEGAL_FUNCTION(DecodeException.Kind.UNSUPPORTED),
    /** Exception code 02: a register of the request does not exist on the slave. */
    ILLEGAL_ADDRESS(DecodeException.Kind.UNSUPPORTED),
    /** Exception code 03: a value in the request (e.g. the count) is not allowed. */
    ILLEGAL_VALUE(DecodeException.Kind.VALUE_RANGE),
    /** Exception code 04: the slave failed while serving the request. */
    SLAVE_FAILURE(DecodeException.Kind.OTHER),
    /** Exception codes 05/06 (acknowledge, busy) and 0A/0B (gateway path or target failed), and any other code. */
    SLAVE_BUSY(DecodeException.Kind.OTHER),
    /** No answer within the response timeout. */
    TIMEOUT(DecodeException.Kind.OTHER),
    /** An answer whose CRC-16 did not check. */
    CRC(DecodeException.Kind.CHECKSUM),
    /** An answer that stopped early (fewer bytes than its byte count, or fewer registers than asked). */
    SHORT_ANSWER(DecodeException.Kind.TRUNCATED),
    /** An answer from another slave id than the one asked. */
    WRONG_SLAVE(DecodeException.Kind.OTHER),
    /** Bytes that are no Modbus answer to this request (unknown function code, wrong function, noise). */
    GARBAGE(DecodeException.Kind.SYNTAX);

    private final DecodeException.Kind kind;

    ModbusFault(DecodeException.Kind kind) { this.kind = kind; }

    /** The gateway-wide kind this fault is counted under in status ({@code bad_input}). */
    public DecodeException.Kind kind() { return kind; }

    /** The counter name, e.g. {@code illegal_address}. */
    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    /** The fault of an exception response's code (Modbus application protocol v1.1b3 §7). */
    public static ModbusFault ofExceptionCode(int code) {
        return switch (code) {
            case 1 -> ILLEGAL_FUNCTION;
            case 2 -> ILLEGAL_ADDRESS;
            case 3 -> ILLEGAL_VALUE;
            case 4 -> SLAVE_FAILURE;
            default -> SLAVE_BUSY;
        };
    }

    /** A failed request: the fault and the slave's exception code (or -1). */
    public static final class Failure extends Exception {
        private final ModbusFault fault;
        private final int unit;

        public Failure(ModbusFault fault, int unit, String message) {
            super(message);
            this.fault = fault;
            this.unit = unit;
        }

        public ModbusFault fault() { return fault; }

        /** The slave id asked. */
        public int unit() { return unit; }

        /** As a {@link DecodeException} for the gateway's counters (timeouts are reported as silent meters instead). */
        public DecodeException asDecodeException() {
            return new DecodeException(fault.kind(), fault.wireName() + ": " + getMessage(), "unit " + unit, this);
        }
    }
}
