package io.meterlink.sim.electricity;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.testing.StreamDecoding;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VirtualP1MeterTest {
    /** Every DSMR layout (5, 4, 3, 2.2, e-MUCS): the telegram decodes to exactly the ledger's readings, whose measurement keys are distinct. */
    @Test
    void everyLayout_decodesToTheLedgersReadings() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        for (String version : VirtualP1Meter.VERSIONS) {
            VirtualP1Meter m = new VirtualP1Meter("SIM12345", version, null, null, 0, 3);
            for (int i = 0; i < 2; i++) {
                byte[] t = m.telegram(now.plusSeconds(10L * i));
                List<StreamDecoding.Outcome> out = StreamDecoding.run(new P1FrameDecoder(), t);
                assertEquals(1, out.size(), () -> version + ": " + out);
                DecodedFrame f = out.get(0).frame();
                assertNotNull(f, () -> version + ": " + out);
                List<Reading> want = m.ledger().get(i).readings();
                List<Reading> got = new ObisReadings(ZoneOffset.UTC).toReadings(f, now.plusSeconds(10L * i));
                assertEquals(new HashSet<>(want), new HashSet<>(got), () -> version + ": " + new String(t));
                assertEquals(got.size(), got.stream().map(Reading::measurementKey).distinct().count(), version);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new VirtualP1Meter("X", "6", null, null, 0, 1));
    }
}
