package io.meterlink.sim.electricity;

import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.StreamDecoding;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VirtualSmlMeterTest {
    @Test
    void generatedFile_decodesToTheLedgersReadings() {
        VirtualSmlMeter m = new VirtualSmlMeter(7, 0, false, 1);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        byte[] file = m.next(now);
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new SmlFrameDecoder(), file);
        assertEquals(1, out.size(), out::toString);
        DecodedFrame f = out.get(0).frame();
        assertNotNull(f, out::toString);
        assertEquals(m.ledger().get(0).readings(), new ObisReadings(ZoneOffset.UTC).toReadings(f, now), f::toString);
    }
}
