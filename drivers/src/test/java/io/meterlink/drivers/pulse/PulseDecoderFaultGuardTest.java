package io.meterlink.drivers.pulse;

import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Await;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pulse input whose edge makes the debouncer fail (a decoder bug on a hostile edge): the edge is a
 * counted {@code other} bad input, dropped, and the pulses after it are counted.
 */
class PulseDecoderFaultGuardTest {
    static final long HOSTILE = 666;
    @TempDir Path state;

    /** The debouncer, failing on edges tagged {@link #HOSTILE} as a debouncer with a bug would. */
    static final PulseDriver.EdgeStep FAULTY = (d, active, nanos, tag) -> {
        if (tag == HOSTILE) throw new IllegalStateException("hostile edge");
        return d.edge(active, nanos, tag);
    };

    @Test
    void aDecoderFaultOnAHostileEdge_isCountedOther_thePulsesAfterItAreCounted() throws Exception {
        Map<String, Object> input = new HashMap<>(Map.of("id", "main", "pin", 17, "debounce", "5ms", "pulses_per_unit", "1000", "unit", "kWh"));
        MapSettings s = new MapSettings(Map.of("provider", "gpiod", "interval", "1s", "inputs", List.of(input)));
        PulseDriverConfig c = PulseDriverFactory.read(s);
        assertNotNull(c, s.errors().toString());
        Recording rec = new Recording(Clock.systemUTC());
        rec.stateDir = state;
        PulseDriverTest.HandLines lines = new PulseDriverTest.HandLines();
        try (PulseDriver d = new PulseDriver(c, lines, rec, FAULTY)) {
            d.start();
            Await.until(() -> lines.edges.get() != null, "lines opened", rec);
            lines.pulse(HOSTILE, 0, 12);
            Thread.sleep(12);
            for (int i = 1; i <= 3; i++) {
                lines.pulse(i, 0, 12);
                Thread.sleep(12);
            }
            Await.until(() -> d.committed(0) == 3, "the 3 pulses after the hostile edge committed", rec);
            Await.until(() -> rec.readings.stream().anyMatch(r -> r.value().compareTo(java.math.BigDecimal.valueOf(3)) == 0), "register 3 Wh read out", rec);
        }
        assertTrue(rec.bad.contains(Kind.OTHER), rec::toString);
        assertEquals(List.of(), rec.bad.stream().filter(k -> k != Kind.OTHER).toList(), "nothing else refused");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }
}
