package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What the wM-Bus driver refuses as a replay (counted {@code REPLAY}, nothing stored): a message
 * reassembled from AFL fragments heard again in another fragment order, and a mode 7 / mode 10
 * telegram whose authenticated message counter is not above the last one accepted from the meter.
 */
class WmbusReplayTest {
    @Test
    void aReassembledMessage_heardAgainInAnotherFragmentOrder_isAReplay() throws Exception {
        FedDriver d = new FedDriver(true, List.of()); // unencrypted: no counter, only the fingerprint can tell
        byte[] message = AflFragmentTest.concat(Hex.bytes("7A 31 00 00 00"), AflFragmentTest.records(20));
        List<byte[]> f = AflFragmentTest.fragment(message, 3, false, 1, null);
        for (byte[] x : f) d.hear(x); // completed by fragment 3
        assertEquals(20, d.rec.readings.size());
        assertEquals(List.of(), d.rec.bad);
        d.hear(f.get(0));
        d.hear(f.get(2));
        d.hear(f.get(1)); // the same message, completed by fragment 2 this time
        assertEquals(List.of(Kind.REPLAY), d.rec.bad);
        assertEquals(20, d.rec.readings.size(), "the replayed message was not stored again");
    }

    /** A single-frame mode 7 message from KAM 12345678: {@code n} volume records, AFL MAC over counter {@code mcr}. */
    private static byte[] mode7(int n, int mcr) throws Exception {
        byte[] c = {(byte) mcr, (byte) (mcr >> 8), (byte) (mcr >> 16), (byte) (mcr >> 24)};
        return AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(n), Hex.bytes("78563412"), c), 1, true, 0, c)
                .get(0);
    }

    @Test
    void mode7_anOlderMessageWithAValidMac_isAReplay_aHigherCounterIsTaken() throws Exception {
        FedDriver d = new FedDriver(false, List.of(FedDriver.keyed("12345678")));
        d.hear(mode7(2, 8));
        assertEquals(2, d.rec.readings.size());
        d.hear(mode7(3, 7)); // another message, MAC valid, but sent before the one accepted
        d.hear(mode7(4, 8)); // the same counter again with other contents
        assertEquals(List.of(Kind.REPLAY, Kind.REPLAY), d.rec.bad);
        assertEquals(2, d.rec.readings.size());
        d.hear(mode7(5, 9));
        assertEquals(7, d.rec.readings.size(), "the next counter is taken");
        assertEquals(2, d.rec.bad.size());
    }

    // Mode10CcmTest's vectors (Python cryptography): counter 42 in the first two, 0x04030201 in the third
    private static final String TAG8_COUNTER42 = "2D442D2C785634121B167A2100FF0A10012A000000A93EA801B951FA44DA52082563684BA5D08226BC1CE5706A9B";
    private static final String CF17_COUNTER42 = "2D442D2C785634121B167A2500110A10012A000000A93EA801B951FA44DA52082563684BA5D0CC76D49A299091C9";
    private static final String TAG4_COUNTER_04030201 = "29442D2C785634121B167A2200FF0A1000010203042AADF6B5E6293C29F1BC6039FBD15AB788E2998CFF";

    @Test
    void mode10_aCounterNotAboveTheLastAccepted_isAReplay() throws Exception {
        FedDriver d = new FedDriver(false, List.of(FedDriver.keyed("12345678")));
        d.hear(Hex.bytes(TAG8_COUNTER42));
        int stored = d.rec.readings.size();
        assertTrue(stored > 0);
        d.hear(Hex.bytes(CF17_COUNTER42)); // another access number and frame, a valid tag, the same counter
        assertEquals(List.of(Kind.REPLAY), d.rec.bad);
        assertEquals(stored, d.rec.readings.size());
        d.hear(Hex.bytes(TAG4_COUNTER_04030201));
        assertEquals(2 * stored, d.rec.readings.size(), "a higher counter is taken");
        d.hear(Hex.bytes(TAG8_COUNTER42).clone());
        assertEquals(List.of(Kind.REPLAY, Kind.REPLAY), d.rec.bad);
    }
}
