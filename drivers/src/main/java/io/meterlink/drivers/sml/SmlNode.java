package io.meterlink.drivers.sml;

import java.math.BigInteger;
import java.util.List;

/** One TL-coded element of an SML file (SML 1.04 §6.3): octet string, boolean, integer or list. Immutable. */
sealed interface SmlNode {
    record Octets(byte[] bytes) implements SmlNode { }

    record Bool(boolean value) implements SmlNode { }

    /**
     * A signed or unsigned integer of {@code width} (1 to 8) bytes: {@code bits} is the value, sign-extended
     * when signed; an unsigned one of 8 bytes above {@link Long#MAX_VALUE} has its top bit there.
     */
    record Int(long bits, int width, boolean signed) implements SmlNode {
        /** The exact value. */
        BigInteger value() {
            return signed || bits >= 0 ? BigInteger.valueOf(bits) : new BigInteger(Long.toUnsignedString(bits));
        }

        /** True when {@link #bits} is the value (all but an unsigned 8-byte one above {@link Long#MAX_VALUE}). */
        boolean fitsLong() { return signed || bits >= 0; }

        /** The low 32 bits, as {@link BigInteger#intValue()} gives them (tags, unit codes, scalers). */
        int intValue() { return (int) bits; }
    }

    record Seq(List<SmlNode> items) implements SmlNode {
        SmlNode get(int i) { return i < items.size() ? items.get(i) : null; }
    }
}
