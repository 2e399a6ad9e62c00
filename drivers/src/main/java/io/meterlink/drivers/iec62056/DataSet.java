package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.obis.Obis;

import java.util.List;

/**
 * One data set of a readout (IEC 62056-21 §6.5): an address (OBIS/EDIS code as written) and one or
 * more value groups {@code (value*unit)}. A line that starts with {@code (} continues the data set
 * before it (the pre-DSMR-4 gas value). Immutable; values and units are split once, when built.
 */
public final class DataSet {
    private final String address;
    private final Obis obis;
    private final List<String> groups;
    private final String[] values;
    private final String[] units;

    /**
     * @param address as written, e.g. {@code 1-0:1.8.0*255}, {@code 1.8.1}, {@code F.F}
     * @param obis    the parsed code, or {@code null} when the address is no OBIS code
     * @param groups  the text inside each pair of parentheses, in order
     */
    public DataSet(String address, Obis obis, List<String> groups) {
        this.address = address;
        this.obis = obis;
        this.groups = List.copyOf(groups);
        this.values = new String[groups.size()];
        this.units = new String[groups.size()];
        for (int i = 0; i < values.length; i++) {
            String g = groups.get(i);
            int star = g.lastIndexOf('*');
            values[i] = (star >= 0 ? g.substring(0, star) : g).strip();
            String u = star >= 0 ? g.substring(star + 1).strip() : "";
            units[i] = u.isEmpty() ? null : u;
        }
    }

    public String address() { return address; }

    public Obis obis() { return obis; }

    public List<String> groups() { return groups; }

    /** The value text of group {@code i} (before {@code *}), stripped of padding spaces. */
    public String value(int i) { return values[i]; }

    /** The unit text of group {@code i} (after {@code *}), or {@code null} when it has none or an empty one. */
    public String unit(int i) { return units[i]; }

    @Override public String toString() { return address + groups; }
}
