package io.meterlink.core.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identity of a meter: {@code <family>:<manufacturer>:<id>}, e.g. {@code mbus:KAM:12345678}.
 * The family names the protocol family (mbus, wmbus, modbus, …), the manufacturer is the
 * three-letter FLAG code for M-Bus meters (or another short code), the id is the meter's own
 * identification. Immutable; validated on construction.
 */
public final class MeterId implements Comparable<MeterId> {
    private static final Pattern FAMILY = Pattern.compile("[a-z][a-z0-9]{0,15}");
    private static final Pattern MANUFACTURER = Pattern.compile("[A-Za-z0-9@_-]{1,16}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");

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
        check(FAMILY, family, "family");
        check(MANUFACTURER, manufacturer, "manufacturer");
        check(ID, id, "id");
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

    private static void check(Pattern p, String value, String what) {
        if (value == null || !p.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid meter " + what + ": '" + value + "'");
        }
    }

    public String family() { return family; }
    public String manufacturer() { return manufacturer; }
    public String id() { return id; }

    @Override public String toString() { return text; }
    @Override public boolean equals(Object o) { return o instanceof MeterId m && m.text.equals(text); }
    @Override public int hashCode() { return text.hashCode(); }
    @Override public int compareTo(MeterId o) { return text.compareTo(o.text); }
}
