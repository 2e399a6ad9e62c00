package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Hex;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the wM-Bus driver refuses as a replay (counted {@code REPLAY}, nothing stored): a message
 * reassembled from AFL fragments heard again in another fragment order, and a mode 7 / mode 10
 * telegram whose authenticated message counter is not above the last one accepted from the meter.
 */
class WmbusReplayTest {
    private final Recording rec = new Recording(Clock.systemUTC());

    private WmbusDriver driver(boolean acceptUnknown, List<WmbusDriverConfig.Meter> meters) {
        WmbusDriverConfig c = new WmbusDriverConfig("feed", "hexlines", WmbusMode.T1, false, ZoneOffset.UTC, acceptUnknown, meters,
                DriverSet.builtin());
        return new WmbusDriver(c, new FeedLine(), rec, new FormatCache());
    }

    private static WmbusDriverConfig.Meter keyed(String id) {
        return new WmbusDriverConfig.Meter(id, null, Secret.of(HexFormat.of().formatHex(TestFrames.KEY)));
    }

    /** Hands {@code frame} to the driver; a typed refusal is counted as the line does it. */
    private void hear(WmbusDriver d, byte[] frame) throws InterruptedException {
        try {
            d.handle(new RadioFrame(frame, -70, true), "line1");
        } catch (DecodeException e) {
            rec.badInput("line1", e.kind());
        }
    }

    @Test
    void aReassembledMessage_heardAgainInAnotherFragmentOrder_isAReplay() throws Exception {
        WmbusDriver d = driver(true, List.of()); // unencrypted: no counter, only the fingerprint can tell
        byte[] message = AflFragmentTest.concat(Hex.bytes("7A 31 00 00 00"), AflFragmentTest.records(20));
        List<byte[]> f = AflFragmentTest.fragment(message, 3, false, 1, null);
        for (byte[] x : f) hear(d, x); // completed by fragment 3
        assertEquals(20, rec.readings.size());
        assertEquals(List.of(), rec.bad);
        hear(d, f.get(0));
        hear(d, f.get(2));
        hear(d, f.get(1)); // the same message, completed by fragment 2 this time
        assertEquals(List.of(Kind.REPLAY), rec.bad);
        assertEquals(20, rec.readings.size(), "the replayed message was not stored again");
    }
}
