package io.meterlink.core.runtime;

import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.status.StaleMeter;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceWatchdogTest {
    private static StatusSnapshot snapshot(boolean connected, String lastError, long depth, List<Alarm> alarms) {
        BufferStats b = new BufferStats(depth, depth * 200, 1 << 28, depth > 0 ? 42_000 : 0, depth, depth, 0, Map.of(), 0, List.of());
        return new StatusSnapshot("gw", "test", 0, 1, b, new UplinkStats(connected, 0, 0, 0, 0, lastError),
                3, List.of(new StaleMeter.Silent("bus", "m1")), BadInputCounts.NONE, alarms);
    }

    @Test
    void statusLine_healthy() {
        assertEquals("uplink connected, buffer 0 unsent, 3 meters heard, 1 stale",
                ServiceWatchdog.statusLine(snapshot(true, null, 0, List.of()), List.of()));
    }

    @Test
    void statusLine_stuckFirst_thenTheUplinkError_andTheBacklog() {
        String s = ServiceWatchdog.statusLine(snapshot(false, "connect failed:\nrefused", 7, List.of(Alarm.of(Alarm.Kind.CERTIFICATE_EXPIRED))),
                List.of(new Liveness.Stuck("source:heat", Duration.ofSeconds(41))));
        assertEquals("STUCK [source:heat (no progress for 41 s)]; uplink offline (connect failed: refused), buffer 7 unsent "
                + "(oldest 42 s), 3 meters heard, 1 stale, alarms [certificate_expired]", s);
    }

    @Test
    void statusLine_isOneShortLine() {
        String s = ServiceWatchdog.statusLine(snapshot(false, "x\n".repeat(500), 0, List.of()), List.of());
        assertTrue(s.length() <= 200, s);
        assertFalse(s.contains("\n"));
    }
}
