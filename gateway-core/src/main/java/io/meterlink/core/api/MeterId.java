package io.meterlink.core.api;

import java.util.Objects;

/**
 * Identity of a meter: {@code <family>:<manufacturer>:<id>}, e.g. {@code mbus:KAM:12345678}.
 * The family names the protocol family (mbus, wmbus, modbus, …), the manufacturer is the
 * three-letter FLAG code for M-Bus meters (or another short code), the id is the meter's own
 * identification. Immutable; validated on construction.
 */
public final class MeterId implements Comparable<MeterId> {
    // family [a-z][a-z0-9]{0,15}; manufacturer [A-Za-z0-9@_-]{1,16}; id [A-Za-z0-9._-]{1,40}
    // (checked by hand, not by regex: this runs for every decoded telegram)

    private final String family;
    private final String manufacturer;
    private final String id;
    private final String text;

    private MeterId(String family, String manufacturer, String id) {
        this.family = family;
        this.manufacturer = manufacturer;
        this.id = id;
        this.text = family + ':' + manufacturer + ':' + id;
    }

    public static MeterId of(String family, String manufacturer, String id) {
        if (!valid(family, 16, false, "") || !(family.charAt(0) >= 'a' && family.charAt(0) <= 'z')) throw invalid("family", family);
        if (!valid(manufacturer, 16, true, "@_-")) throw invalid("manufacturer", manufacturer);
        if (!valid(id, 40, true, "._-")) throw invalid("id", id);
        return new MeterId(family, manufacturer, id);
    }

    /** Parses {@code family:manufacturer:id}; throws {@link IllegalArgumentException} on anything else. */
    public static MeterId of(String text) {
        Objects.requireNonNull(text, "meter id");
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("meter id must be family:manufacturer:id, got '" + text + "'");
        }
        return of(parts[0], parts[1], parts[2]);
    }

    /** 1..max characters: lower-case letters, digits, upper-case letters when allowed, and {@code extra}. */
    private static boolean valid(String s, int max, boolean upper, String extra) {
        if (s == null || s.isEmpty() || s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || upper && c >= 'A' && c <= 'Z' || extra.indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    private static IllegalArgumentException invalid(String what, String value) {
        return new IllegalArgumentException("invalid meter " + what + ": '" + value + "'");
    }

    public String family() { return family; }
    public String manufacturer() { return manufacturer; }
    public String id() { return id; }

    @Override public String toString() { return text; }
    @Override public boolean equals(Object o) { return o instanceof MeterId m && m.text.equals(text); }
    @Override public int hashCode() { return text.hashCode(); }
    @Override public int compareTo(MeterId o) { return text.compareTo(o.text); }
}
