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

    /** A single-frame mode 7 message from KAM 12345678: {@code n} volume records, AFL MAC over counter {@code mcr}. */
    private static byte[] mode7(int n, int mcr) throws Exception {
        byte[] c = {(byte) mcr, (byte) (mcr >> 8), (byte) (mcr >> 16), (byte) (mcr >> 24)};
        return AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(n), Hex.bytes("78563412"), c), 1, true, 0, c)
                .get(0);
    }

    @Test
    void mode7_anOlderMessageWithAValidMac_isAReplay_aHigherCounterIsTaken() throws Exception {
        WmbusDriver d = driver(false, List.of(keyed("12345678")));
        hear(d, mode7(2, 8));
        assertEquals(2, rec.readings.size());
        hear(d, mode7(3, 7)); // another message, MAC valid, but sent before the one accepted
        hear(d, mode7(4, 8)); // the same counter again with other contents
        assertEquals(List.of(Kind.REPLAY, Kind.REPLAY), rec.bad);
        assertEquals(2, rec.readings.size());
        hear(d, mode7(5, 9));
        assertEquals(7, rec.readings.size(), "the next counter is taken");
        assertEquals(2, rec.bad.size());
    }

    // Mode10CcmTest's vectors (Python cryptography): counter 42 in the first two, 0x04030201 in the third
    private static final String TAG8_COUNTER42 = "2D442D2C785634121B167A2100FF0A10012A000000A93EA801B951FA44DA52082563684BA5D08226BC1CE5706A9B";
    private static final String CF17_COUNTER42 = "2D442D2C785634121B167A2500110A10012A000000A93EA801B951FA44DA52082563684BA5D0CC76D49A299091C9";
    private static final String TAG4_COUNTER_04030201 = "29442D2C785634121B167A2200FF0A1000010203042AADF6B5E6293C29F1BC6039FBD15AB788E2998CFF";

    @Test
    void mode10_aCounterNotAboveTheLastAccepted_isAReplay() throws Exception {
        WmbusDriver d = driver(false, List.of(keyed("12345678")));
        hear(d, Hex.bytes(TAG8_COUNTER42));
        int stored = rec.readings.size();
        assertTrue(stored > 0);
        hear(d, Hex.bytes(CF17_COUNTER42)); // another access number and frame, a valid tag, the same counter
        assertEquals(List.of(Kind.REPLAY), rec.bad);
        assertEquals(stored, rec.readings.size());
        hear(d, Hex.bytes(TAG4_COUNTER_04030201));
        assertEquals(2 * stored, rec.readings.size(), "a higher counter is taken");
        hear(d, Hex.bytes(TAG8_COUNTER42).clone());
        assertEquals(List.of(Kind.REPLAY, Kind.REPLAY), rec.bad);
    }
}
