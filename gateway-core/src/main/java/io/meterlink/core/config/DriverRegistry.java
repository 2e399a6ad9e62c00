package io.meterlink.core.config;

import io.meterlink.core.api.driver.DriverFactory;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The driver factories available to configuration, by {@link DriverFactory#type()}. Immutable, thread-safe. */
public final class DriverRegistry {
    private final Map<String, DriverFactory> byType;

    public DriverRegistry(Iterable<DriverFactory> factories) {
        Map<String, DriverFactory> m = new TreeMap<>();
        for (DriverFactory f : factories) {
            DriverFactory previous = m.putIfAbsent(f.type(), f);
            if (previous != null && previous.getClass() != f.getClass()) {
                throw new IllegalStateException("two drivers claim type '" + f.type() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        this.byType = Collections.unmodifiableMap(m);
    }

    /** Every {@link DriverFactory} registered in {@code META-INF/services} on the class path. */
    public static DriverRegistry fromServiceLoader() {
        return new DriverRegistry(ServiceLoader.load(DriverFactory.class));
    }

    public Optional<DriverFactory> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** Known types, sorted. */
    public Set<String> types() {
        return byType.keySet();
    }
}
