package io.meterlink.drivers.iec62056.dlms;

import java.math.BigDecimal;
import java.util.List;

/**
 * One A-XDR encoded COSEM value (IEC 62056-6-2 §4.1.5 data types, encoded per IEC 62056-5-3 A-XDR),
 * the wire tag kept. Immutable.
 */
public sealed interface DlmsValue {
    /** The data type tag (e.g. 6 double-long-unsigned, 9 octet-string, 2 structure). */
    int tag();

    /** null-data (0). */
    record Null() implements DlmsValue {
        @Override public int tag() { return Axdr.NULL; }
    }

    /** boolean (3). */
    record Bool(boolean value) implements DlmsValue {
        @Override public int tag() { return Axdr.BOOLEAN; }
    }

    /**
     * Every number: integer (15), long (16), double-long (5), long64 (20), unsigned (17),
     * long-unsigned (18), double-long-unsigned (6), long64-unsigned (21), enum (22), float32 (23) and
     * float64 (24). Floats are the shortest decimal that reads back as the same binary value.
     */
    record Num(int tag, BigDecimal value) implements DlmsValue { }

    /** octet-string (9), bit-string (4, the bytes as sent), bcd (13), date-time (25), date (26), time (27). */
    record Octets(int tag, byte[] bytes) implements DlmsValue {
        public Octets {
            bytes = bytes.clone();
        }

        @Override public byte[] bytes() { return bytes.clone(); }

        public int length() { return bytes.length; }
    }

    /** visible-string (10) or utf8-string (12). */
    record Text(int tag, String value) implements DlmsValue { }

    /** array (1) or structure (2). */
    record Items(int tag, List<DlmsValue> items) implements DlmsValue {
        public Items {
            items = List.copyOf(items);
        }
    }
}
