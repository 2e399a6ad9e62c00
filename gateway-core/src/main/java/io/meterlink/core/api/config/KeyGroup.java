package io.meterlink.core.api.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys of one section of the configuration, in the order they are documented: the gateway's
 * own sections ({@code buffer}, {@code uplink}, …; see {@code io.meterlink.core.api.config.keys}),
 * a module's section ({@code technician_endpoint}) or one driver's source keys. The README's
 * configuration tables are generated from these groups, one table per {@link #table()}.
 *
 * @param table  the reference table the keys are listed in: {@code gateway}, or a driver's type
 * @param prefix the path of the section in its table, e.g. {@code uplink}; empty for keys at the
 *               table's root (a driver's keys sit in a {@code sources[]} entry)
 * @param keys   the keys, names unique within the group
 */
public record KeyGroup(String table, String prefix, List<ConfigKey<?>> keys) {
    public KeyGroup {
        keys = List.copyOf(keys);
        Set<String> names = new HashSet<>();
        for (ConfigKey<?> k : keys) {
            if (!names.add(k.name())) throw new IllegalArgumentException(table + ": key " + k.name() + " is declared twice");
        }
    }

    public static KeyGroup of(String table, String prefix, ConfigKey<?>... keys) {
        return new KeyGroup(table, prefix, List.of(keys));
    }

    /** The dotted path of {@code key} in its table, e.g. {@code uplink.tls.ca_file}, {@code meters[].address}. */
    public String path(ConfigKey<?> key) {
        return prefix.isEmpty() ? key.name() : prefix + "." + key.name();
    }

    /** Every key's path, in order. */
    public List<String> paths() {
        List<String> out = new ArrayList<>();
        for (ConfigKey<?> k : keys) out.add(path(k));
        return out;
    }
}
