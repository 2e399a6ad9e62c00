package io.meterlink.drivers.sml;

import io.meterlink.core.api.driver.DecodeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the TL-coded elements of one SML file's messages (SML 1.04 §6.3.1): a TL byte holds a
 * "more TL bytes" bit, the type (000 octet string, 100 boolean, 101 signed, 110 unsigned, 111 list)
 * and the length, continued in 4-bit steps by further TL bytes; for a list the length counts
 * elements, for everything else bytes including the TL bytes. {@code 0x01} is an absent optional
 * ({@code null}), {@code 0x00} the end of a message (also {@code null}). Not thread-safe.
 */
final class SmlReader {
    private static final int MAX_DEPTH = 16;
    private final byte[] b;
    private final int end;
    private int p;

    SmlReader(byte[] b, int from, int to) {
        this.b = b;
        this.p = from;
        this.end = to;
    }

    boolean atEnd() { return p >= end; }

    int position() { return p; }

    /** True and consumed when the next byte is the end-of-message marker 0x00. */
    boolean endOfMessage() {
        if (p < end && b[p] == 0) {
            p++;
            return true;
        }
        return false;
    }

    SmlNode read() throws DecodeException { return read(0); }

    private SmlNode read(int depth) throws DecodeException {
        if (depth > MAX_DEPTH) throw new DecodeException(DecodeException.Kind.SYNTAX, "SML lists nested deeper than " + MAX_DEPTH);
        int start = p;
        int tl = next();
        int type = tl >> 4 & 0x7;
        int len = tl & 0x0F;
        int tlBytes = 1;
        while ((tl & 0x80) != 0) {
            tl = next();
            if ((tl & 0x70) != 0) throw syntax(start, "a continued TL byte with a type");
            len = len << 4 | tl & 0x0F;
            tlBytes++;
            if (tlBytes > 4) throw syntax(start, "TL field longer than 4 bytes");
        }
        if (type == 7) {
            if (len > end - p) throw new DecodeException(DecodeException.Kind.TRUNCATED, "list of " + len + " elements at byte " + start + " runs past the file");
            List<SmlNode> items = new ArrayList<>(len);
            for (int i = 0; i < len; i++) items.add(read(depth + 1));
            return new SmlNode.Seq(items);
        }
        if (tl == 0 && tlBytes == 1) return null; // end of message: the last of a message's 6 elements
        int n = len - tlBytes;
        if (n < 0) throw syntax(start, "length " + len + " shorter than its TL field");
        if (n > end - p) throw new DecodeException(DecodeException.Kind.TRUNCATED, "element at byte " + start + " runs past the file");
        int from = p;
        p += n;
        return switch (type) {
            case 0 -> n == 0 && len == 1 ? null : new SmlNode.Octets(Arrays.copyOfRange(b, from, from + n));
            case 4 -> {
                if (n != 1) throw syntax(start, "boolean of " + n + " bytes");
                yield new SmlNode.Bool(b[from] != 0);
            }
            case 5, 6 -> {
                if (n < 1 || n > 8) throw syntax(start, "integer of " + n + " bytes");
                long v = type == 5 ? b[from] : b[from] & 0xFF; // a signed one sign-extended from its first byte
                for (int k = from + 1; k < from + n; k++) v = v << 8 | b[k] & 0xFF;
                yield new SmlNode.Int(v, n, type == 5);
            }
            default -> throw syntax(start, String.format("unknown TL type %d (TL byte %02X)", type, b[start] & 0xFF));
        };
    }

    private int next() throws DecodeException {
        if (p >= end) throw new DecodeException(DecodeException.Kind.TRUNCATED, "SML file ends inside an element");
        return b[p++] & 0xFF;
    }

    private static DecodeException syntax(int at, String what) {
        return new DecodeException(DecodeException.Kind.SYNTAX, what + " at byte " + at + " of the SML file");
    }
}
