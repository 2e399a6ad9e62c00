package io.meterlink.core.api.driver;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One named fact of a {@link DecodedFrame} or {@link DecodedRecord}: a header field, a record's
 * quantity, or a family's raw field (DIF/VIF for M-Bus, OBIS for the electricity families).
 * The value is a {@link String}, {@link BigDecimal} (exact), {@link Integer}, {@link Long},
 * {@link Boolean}, a list of strings, or a {@link Group} of nested facts. Immutable.
 */
public record Fact(String name, Object value) {
    public Fact {
        Objects.requireNonNull(name, "name");
        if (value == null) throw new NullPointerException("value of " + name); // no message built on the hot path
        boolean ok = value instanceof String || value instanceof BigDecimal || value instanceof Integer
                || value instanceof Long || value instanceof Boolean || value instanceof Group;
        if (value instanceof List<?> list) {
            ok = list.stream().allMatch(String.class::isInstance);
            value = List.copyOf(list);
        }
        if (!ok) throw new IllegalArgumentException("fact " + name + ": unsupported value type " + value.getClass().getName());
    }

    /** Nested facts rendered as one object (e.g. the undecoded rest of an M-Bus telegram). */
    public record Group(List<Fact> facts) {
        public Group { facts = List.copyOf(facts); }
    }

    /** The first fact called {@code name} in {@code facts}, or {@code null}. */
    static Object find(List<Fact> facts, String name) {
        for (Fact f : facts) {
            if (f.name.equals(name)) return f.value;
        }
        return null;
    }
}
