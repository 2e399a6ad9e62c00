package io.meterlink.provisioning.tech;

import io.meterlink.core.runtime.HealthRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The {@code meters} view from the runtime's health registry and, when wired, the latest values. Thread-safe. */
public final class HealthMeters implements TechServices.MeterDirectory {
    private final HealthRegistry health;
    private final RecentReadings recent;

    /** @param recent latest values, or {@code null} when the runtime does not record them */
    public HealthMeters(HealthRegistry health, RecentReadings recent) {
        this.health = Objects.requireNonNull(health, "health");
        this.recent = recent;
    }

    @Override public List<MeterReport> meters() {
        List<MeterReport> out = new ArrayList<>();
        for (HealthRegistry.MeterHealth m : health.meters()) {
            out.add(new MeterReport(m.meter(), m.source(), m.lastSeen(), m.rssiDbm(),
                    recent == null ? List.of() : recent.latest(m.meter())));
        }
        return out;
    }
}
