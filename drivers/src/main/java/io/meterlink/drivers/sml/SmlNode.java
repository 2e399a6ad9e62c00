package io.meterlink.drivers.sml;

import java.math.BigInteger;
import java.util.List;

/** One TL-coded element of an SML file (SML 1.04 §6.3): octet string, boolean, integer or list. Immutable. */
sealed interface SmlNode {
    record Octets(byte[] bytes) implements SmlNode { }

    record Bool(boolean value) implements SmlNode { }

    /** A signed or unsigned integer of {@code width} (1 to 8) bytes, exactly. */
    record Int(BigInteger value, int width, boolean signed) implements SmlNode { }

    record Seq(List<SmlNode> items) implements SmlNode {
        SmlNode get(int i) { return i < items.size() ? items.get(i) : null; }
    }
}
