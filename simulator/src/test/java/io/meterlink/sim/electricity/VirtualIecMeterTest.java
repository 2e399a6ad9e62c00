package io.meterlink.sim.electricity;

import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.drivers.iec62056.Iec62056FrameDecoder;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.testing.StreamDecoding;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VirtualIecMeterTest {
    @Test
    void eachModeHasItsBaudCharacter_modeDPushesAReadoutThatDecodesToItsLedger() {
        assertEquals("/SIM:SIM1\r\n", ident(VirtualIecMeter.Mode.A));
        assertEquals("/SIMESIM1\r\n", ident(VirtualIecMeter.Mode.B));
        assertEquals("/SIM5SIM1\r\n", ident(VirtualIecMeter.Mode.C));
        assertEquals("/SIM3SIM1\r\n", ident(VirtualIecMeter.Mode.D));
        assertEquals("/SIM5\\2SIM1\r\n", ident(VirtualIecMeter.Mode.E));
        VirtualIecMeter d = new VirtualIecMeter("1", VirtualIecMeter.Mode.D, 0, 4);
        assertEquals(2400, d.readoutBaud());
        Instant now = Instant.parse("2026-02-01T08:00:00Z");
        List<StreamDecoding.Outcome> out = StreamDecoding.run(new Iec62056FrameDecoder(), d.next(now));
        assertEquals(1, out.size(), out::toString);
        DecodedFrame f = out.get(0).frame();
        assertNotNull(f, out::toString);
        assertEquals(d.ledger().get(0).readings(), new ObisReadings(ZoneOffset.UTC).toReadings(f, now));
    }

    private static String ident(VirtualIecMeter.Mode m) {
        return new String(new VirtualIecMeter("1", m, 0, 1).identification(), StandardCharsets.US_ASCII);
    }
}
