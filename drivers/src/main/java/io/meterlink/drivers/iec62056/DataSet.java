package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.obis.Obis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One data set of a readout (IEC 62056-21 §6.5): an address (OBIS/EDIS code as written) and one or
 * more value groups {@code (value*unit)}. A line that starts with {@code (} continues the data set
 * before it (the pre-DSMR-4 gas value). Immutable; values and units are split once, when built.
 */
public final class DataSet {
    private final String address;
    private final Obis obis;
    private final byte[] text;
    /** Start and end (exclusive) of each group's text in {@link #text}, in pairs. */
    private final int[] bounds;
    /** Value text of group i at 2i, its unit text (or {@code null}) at 2i + 1: one array for both. */
    private final String[] parts;

    /**
     * @param address as written, e.g. {@code 1-0:1.8.0*255}, {@code 1.8.1}, {@code F.F}
     * @param obis    the parsed code, or {@code null} when the address is no OBIS code
     * @param groups  the text inside each pair of parentheses, in order
     */
    public DataSet(String address, Obis obis, List<String> groups) {
        this(address, obis, String.join("\u0000", groups).getBytes(StandardCharsets.ISO_8859_1), separated(groups), groups.size());
    }

    /** From the telegram's bytes: group i is {@code text[bounds[2i], bounds[2i+1])} (no copy of the groups is made; {@code bounds} is kept). */
    DataSet(String address, Obis obis, byte[] text, int[] bounds, int count) {
        this.address = address;
        this.obis = obis;
        this.text = text;
        this.bounds = bounds;
        this.parts = new String[2 * count];
        for (int i = 0; i < count; i++) {
            int from = bounds[2 * i], to = bounds[2 * i + 1];
            int star = -1;
            for (int k = to - 1; k >= from; k--) {
                if (text[k] == '*') {
                    star = k;
                    break;
                }
            }
            parts[2 * i] = stripped(text, from, star >= 0 ? star : to);
            parts[2 * i + 1] = star >= 0 ? unit(text, star + 1, to) : null;
        }
    }

    /** Unit texts: the same few in every telegram. */
    private static final SeenTexts<Void> UNITS = new SeenTexts<>(256, 16, u -> null);

    /** The unit text in {@code t[from, to)} without padding, or {@code null} when empty. */
    private static String unit(byte[] t, int from, int to) {
        while (from < to && (t[from] & 0xFF) <= ' ') from++;
        while (to > from && (t[to - 1] & 0xFF) <= ' ') to--;
        return from == to ? null : UNITS.of(t, from, to).text();
    }

    private static int[] separated(List<String> groups) {
        int[] b = new int[2 * groups.size()];
        int at = 0;
        for (int i = 0; i < groups.size(); i++) {
            b[2 * i] = at;
            b[2 * i + 1] = at + groups.get(i).length();
            at += groups.get(i).length() + 1;
        }
        return b;
    }

    private static String stripped(byte[] t, int from, int to) {
        while (from < to && (t[from] & 0xFF) <= ' ') from++;
        while (to > from && (t[to - 1] & 0xFF) <= ' ') to--;
        return from == to ? "" : new String(t, from, to - from, StandardCharsets.ISO_8859_1);
    }

    public String address() { return address; }

    public Obis obis() { return obis; }

    /** How many value groups. */
    public int size() { return parts.length / 2; }

    /** The text inside the parentheses of group {@code i}, as sent. */
    public String group(int i) { return new String(text, bounds[2 * i], bounds[2 * i + 1] - bounds[2 * i], StandardCharsets.ISO_8859_1); }

    public List<String> groups() {
        List<String> g = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) g.add(group(i));
        return g;
    }

    /** The value text of group {@code i} (before {@code *}), stripped of padding spaces. */
    public String value(int i) { return parts[2 * i]; }

    /** The unit text of group {@code i} (after {@code *}), or {@code null} when it has none or an empty one. */
    public String unit(int i) { return parts[2 * i + 1]; }

    @Override public String toString() { return address + groups(); }
}
