package io.meterlink.drivers.ert;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One checked packet. Immutable.
 *
 * @param protocol    how it was read
 * @param id          the meter id as the protocol carries it (SCM: 26 bits; SCM+/IDM/NetIDM/R900: 32 bits)
 * @param ertType     the ERT type (low nibble of the type field; R900: rtlamr's {@code Unkn1})
 * @param consumption the register in the meter's own units (R900BCD: the BCD digits read as a decimal number)
 * @param checksum    the checksum or CRC the packet carried (R900: the parity symbols packed, 25 bits)
 * @param fields      every other raw field by name, in packet order
 * @param intervals   IDM/NetIDM differential consumption, most recent interval first; empty for the others
 * @param corrected   R900 symbols corrected by Reed-Solomon (0 for the others)
 */
public record ErtPacket(ErtProtocol protocol, long id, int ertType, long consumption, long checksum,
                        Map<String, Long> fields, int[] intervals, int corrected) {
    public ErtPacket {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        intervals = intervals.clone();
    }

    @Override public int[] intervals() { return intervals.clone(); }

    /** A raw field, or {@code null}. */
    public Long field(String name) { return fields.get(name); }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErtPacket p && p.protocol == protocol && p.id == id && p.ertType == ertType
                && p.consumption == consumption && p.checksum == checksum && p.fields.equals(fields)
                && Arrays.equals(p.intervals, intervals) && p.corrected == corrected;
    }

    @Override
    public int hashCode() { return Long.hashCode(id * 31 + consumption) ^ protocol.hashCode(); }

    @Override
    public String toString() {
        return protocol.wireName() + "{id=" + id + ", type=" + ertType + ", consumption=" + consumption + ", fields=" + fields
                + (intervals.length > 0 ? ", intervals=" + Arrays.toString(intervals) : "") + "}";
    }
}
