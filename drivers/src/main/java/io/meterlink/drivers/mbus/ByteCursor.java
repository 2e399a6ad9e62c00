package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

/** Reads bytes of a region {@code [pos, end)} of a buffer with bounds checks that throw typed errors. Not thread-safe. */
final class ByteCursor {
    final byte[] data;
    final int end;
    final String where;
    int pos;

    ByteCursor(byte[] data, int pos, int end, String where) {
        this.data = data;
        this.pos = pos;
        this.end = end;
        this.where = where;
    }

    int remaining() { return end - pos; }

    int peek() { return data[pos] & 0xFF; }

    int next() throws DecodeException {
        if (pos >= end) throw error(Kind.TRUNCATED, "record truncated at byte " + pos);
        return data[pos++] & 0xFF;
    }

    /** Reserves {@code len} bytes and returns where they start. */
    int take(int len) throws DecodeException {
        if (len > remaining()) throw error(Kind.TRUNCATED, "record data truncated: need " + len + " bytes, " + remaining() + " left");
        int at = pos;
        pos += len;
        return at;
    }

    DecodeException error(Kind kind, String message) { return new DecodeException(kind, message, where, null); }
}
