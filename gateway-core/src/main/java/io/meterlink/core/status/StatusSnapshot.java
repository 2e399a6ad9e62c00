package io.meterlink.core.status;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.BufferStats;

import java.util.List;

/**
 * Everything the retained status message and {@code meterlink status} show.
 *
 * @param gatewayId   the gateway
 * @param version     Meterlink version
 * @param timeEpochMs when the snapshot was taken
 * @param uptimeS     seconds since start
 * @param buffer      buffer figures
 * @param uplink      uplink figures
 * @param metersHeard meters heard at least once since start
 * @param metersStale meters not heard within their expected interval, or reported silent, sorted by text
 * @param badInput    refused frames/lines by kind, summed over sources
 * @param alarms      active alarms (buffer quarantine, certificate, …)
 * @param certificateDaysLeft whole days until the gateway's client certificate expires (negative once
 *                    expired), {@code null} when the uplink uses no client certificate or it cannot be read
 */
public record StatusSnapshot(
        String gatewayId,
        String version,
        long timeEpochMs,
        long uptimeS,
        BufferStats buffer,
        UplinkStats uplink,
        int metersHeard,
        List<StaleMeter> metersStale,
        BadInputCounts badInput,
        List<Alarm> alarms,
        Long certificateDaysLeft) {

    public StatusSnapshot {
        metersStale = metersStale == null ? List.of() : List.copyOf(metersStale);
        badInput = badInput == null ? BadInputCounts.NONE : badInput;
    }

    /** A snapshot without certificate figures. */
    public StatusSnapshot(String gatewayId, String version, long timeEpochMs, long uptimeS, BufferStats buffer,
                          UplinkStats uplink, int metersHeard, List<StaleMeter> metersStale, BadInputCounts badInput,
                          List<Alarm> alarms) {
        this(gatewayId, version, timeEpochMs, uptimeS, buffer, uplink, metersHeard, metersStale, badInput, alarms, null);
    }
}
