package io.meterlink.provisioning.tech;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.ReadingSink;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest value of each register (quantity, function, storage, tariff, sub-unit) of each meter,
 * for the technician's {@code meters} view. Bounded: at most {@code maxMeters} meters (the one
 * updated longest ago is forgotten) and {@value #MAX_REGISTERS} registers per meter. Thread-safe.
 */
public final class RecentReadings {
    static final int MAX_REGISTERS = 32;

    private final int maxMeters;
    private final Map<MeterId, LinkedHashMap<String, Reading>> byMeter = new LinkedHashMap<>(16, 0.75f, true);

    public RecentReadings(int maxMeters) {
        if (maxMeters < 1) throw new IllegalArgumentException("maxMeters must be >= 1");
        this.maxMeters = maxMeters;
    }

    /** Remembers these readings as the latest of their registers. */
    public synchronized void record(List<Reading> readings) {
        for (Reading r : readings) {
            LinkedHashMap<String, Reading> registers = byMeter.computeIfAbsent(r.meter(), m -> new LinkedHashMap<>());
            String register = r.quantity().wireName() + "|" + r.function().wireName() + "|" + r.storage() + "|" + r.tariff() + "|" + r.subunit();
            registers.remove(register);
            registers.put(register, r);
            if (registers.size() > MAX_REGISTERS) {
                Iterator<String> eldest = registers.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            if (byMeter.size() > maxMeters) {
                Iterator<MeterId> eldest = byMeter.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
    }

    /** The latest value of each register of {@code meter}, oldest register update first. */
    public synchronized List<Reading> latest(MeterId meter) {
        Map<String, Reading> registers = byMeter.get(meter);
        return registers == null ? List.of() : List.copyOf(new ArrayList<>(registers.values()));
    }

    /** A sink that remembers what passes through, then hands it on to {@code downstream}. */
    public ReadingSink tee(ReadingSink downstream) {
        return readings -> {
            downstream.accept(readings);
            record(readings);
        };
    }
}
