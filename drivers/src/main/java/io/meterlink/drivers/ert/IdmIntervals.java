package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeterId;

import java.util.HashMap;
import java.util.Map;

/**
 * Which IDM/NetIDM intervals of a packet are new: a meter repeats its last 47 (27) intervals in every
 * packet and counts intervals in {@code interval_count} (mod 256), so only the intervals since the
 * previous packet's count become readings; all of them for the first packet heard. Not thread-safe.
 */
public final class IdmIntervals {
    private final Map<MeterId, Integer> lastCount = new HashMap<>();

    /** How many of the packet's most recent intervals are new (0..all). */
    public int fresh(ErtPacket p) {
        Long count = p.field("interval_count");
        if (count == null || p.intervals().length == 0) return 0;
        Integer last = lastCount.put(ErtReadingMapper.meterId(p), count.intValue());
        if (last == null) return p.intervals().length;
        return Math.min(p.intervals().length, (count.intValue() - last) & 0xFF);
    }
}
