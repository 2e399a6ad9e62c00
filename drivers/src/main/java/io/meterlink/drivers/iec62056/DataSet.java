package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.obis.Obis;

import java.util.List;

/**
 * One data set of a readout (IEC 62056-21 §6.5): an address (OBIS/EDIS code as written) and one or
 * more value groups {@code (value*unit)}. A line that starts with {@code (} continues the data set
 * before it (the pre-DSMR-4 gas value). Immutable.
 *
 * @param address as written, e.g. {@code 1-0:1.8.0*255}, {@code 1.8.1}, {@code F.F}
 * @param obis    the parsed code, or {@code null} when the address is no OBIS code
 * @param groups  the text inside each pair of parentheses, in order
 */
public record DataSet(String address, Obis obis, List<String> groups) {
    public DataSet { groups = List.copyOf(groups); }

    /** The value text of group {@code i} (before {@code *}), stripped of padding spaces. */
    public String value(int i) {
        String g = groups.get(i);
        int star = g.lastIndexOf('*');
        return (star >= 0 ? g.substring(0, star) : g).strip();
    }

    /** The unit text of group {@code i} (after {@code *}), or {@code null} when it has none or an empty one. */
    public String unit(int i) {
        String g = groups.get(i);
        int star = g.lastIndexOf('*');
        if (star < 0) return null;
        String u = g.substring(star + 1).strip();
        return u.isEmpty() ? null : u;
    }
}
