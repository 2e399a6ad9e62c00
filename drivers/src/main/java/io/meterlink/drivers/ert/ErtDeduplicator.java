package io.meterlink.drivers.ert;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drops repeats: a meter sends the same register several times; a
 * packet is new unless one with the same meter id, protocol, consumption and interval count (IDM/NetIDM) was
 * accepted within the window. Not thread-safe.
 */
public final class ErtDeduplicator {
    private final Duration window;
    private final Map<String, Instant> seen = new LinkedHashMap<>();

    public ErtDeduplicator(Duration window) { this.window = window; }

    /** True when {@code p} is new (and remembers it), false for a repeat within the window. */
    public boolean accept(ErtPacket p, Instant now) {
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (Duration.between(it.next().getValue(), now).compareTo(window) < 0) break; // insertion order = time order
            it.remove();
        }
        Long interval = p.field("interval_count");
        String key = ErtReadingMapper.meterId(p) + "|" + p.protocol().wireName() + "|" + p.consumption() + "|" + (interval == null ? "" : interval);
        if (seen.containsKey(key)) return false;
        seen.put(key, now);
        return true;
    }
}
