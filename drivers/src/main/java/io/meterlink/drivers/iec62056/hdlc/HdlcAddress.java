package io.meterlink.drivers.iec62056.hdlc;

/**
 * An HDLC address of 1, 2 or 4 bytes (IEC 62056-46 §8.4.2.2): each byte carries 7 address bits
 * above an extension bit that is 1 only in the last byte. A server address has an upper part (the
 * logical device) and, in 2 or 4 bytes, a lower part (the physical device); a client address is one
 * byte (the client SAP, 0x10 for the public client). Immutable.
 *
 * @param upper the upper HDLC address (or the client SAP): 0–127 in 1 or 2 bytes, 0–16383 in 4
 * @param lower the lower HDLC address, 0–127 in 2 bytes, 0–16383 in 4; 0 and unused in 1 byte
 * @param size  1, 2 or 4
 */
public record HdlcAddress(int upper, int lower, int size) {
    public HdlcAddress {
        if (size != 1 && size != 2 && size != 4) throw new IllegalArgumentException("an HDLC address has 1, 2 or 4 bytes, not " + size);
        int max = size == 4 ? 0x3FFF : 0x7F;
        if (upper < 0 || upper > max || lower < 0 || lower > max || size == 1 && lower != 0) {
            throw new IllegalArgumentException("HDLC address out of range for " + size + " bytes: " + upper + "/" + lower);
        }
    }

    /** A one-byte address: a client SAP, or a server's upper address alone. */
    public static HdlcAddress of(int value) { return new HdlcAddress(value, 0, 1); }

    /** A server address with its physical (lower) part, in 2 bytes when both fit 7 bits, else 4. */
    public static HdlcAddress server(int logical, int physical) {
        return new HdlcAddress(logical, physical, logical <= 0x7F && physical <= 0x7F ? 2 : 4);
    }

    /** The bytes as sent. */
    byte[] encode() {
        return switch (size) {
            case 1 -> new byte[] {(byte) (upper << 1 | 1)};
            case 2 -> new byte[] {(byte) (upper << 1), (byte) (lower << 1 | 1)};
            default -> new byte[] {(byte) (upper >> 7 << 1), (byte) ((upper & 0x7F) << 1), (byte) (lower >> 7 << 1), (byte) ((lower & 0x7F) << 1 | 1)};
        };
    }

    /** The address of {@code n} bytes at {@code b[at]} (the caller found its end by the extension bit). */
    static HdlcAddress decode(byte[] b, int at, int n) throws HdlcException {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = (b[at + i] & 0xFF) >>> 1;
        return switch (n) {
            case 1 -> of(v[0]);
            case 2 -> new HdlcAddress(v[0], v[1], 2);
            case 4 -> new HdlcAddress(v[0] << 7 | v[1], v[2] << 7 | v[3], 4);
            default -> throw new HdlcException(HdlcException.Reason.FORMAT, "an address of " + n + " bytes (only 1, 2 or 4 exist)");
        };
    }

    @Override public String toString() { return size == 1 ? String.valueOf(upper) : upper + "/" + lower; }
}
