package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
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
 * A radio DoS on AFL reassembly: spoofed fragments from made-up radios, more than the store holds,
 * interleaved with a listed meter's fragmented mode 7 message, which must still decode.
 */
class WmbusFragmentFloodTest {
    private static final MeterId REAL = MeterId.of("wmbus:KAM:12345678");
    private final Recording rec = new Recording(Clock.systemUTC());

    private WmbusDriver driver(boolean acceptUnknown) {
        var meter = new WmbusDriverConfig.Meter("12345678", null, Secret.of(HexFormat.of().formatHex(TestFrames.KEY)));
        WmbusDriverConfig c = new WmbusDriverConfig("feed", "hexlines", WmbusMode.T1, false, ZoneOffset.UTC, acceptUnknown, List.of(meter),
                DriverSet.builtin());
        return new WmbusDriver(c, new FeedLine(), rec, new FormatCache());
    }

    private void hear(WmbusDriver d, byte[] frame) throws InterruptedException {
        try {
            d.handle(new RadioFrame(frame, -70, true), "line1");
        } catch (DecodeException e) {
            rec.badInput("line1", e.kind());
        }
    }

    /** The real message's three fragments, each after a flood of first fragments from {@code 3 × 2 × MAX_PENDING} made-up radios. */
    private void floodAroundTheRealMessage(WmbusDriver d) throws Exception {
        byte[] mcr = Hex.bytes("07000000");
        List<byte[]> real = AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(20), Hex.bytes("78563412"), mcr),
                3, true, 1, mcr);
        int spoofer = 0;
        for (byte[] fragment : real) {
            hear(d, fragment);
            for (int i = 0; i < 2 * AflReassembler.MAX_PENDING; i++, spoofer++) {
                byte[] y = real.get(0).clone();
                y[4] = (byte) spoofer; // id 1234xxxx: never the real 12345678
                y[5] = (byte) (spoofer >> 8);
                hear(d, y);
            }
        }
    }

    private long realReadings() {
        return rec.readings.stream().filter(r -> r.meter().equals(REAL)).count();
    }

    @Test
    void listedMetersOnly_spoofedFragmentsPushOnlyEachOtherOut_theRealMessageDecodes() throws Exception {
        floodAroundTheRealMessage(driver(false));
        assertEquals(20, realReadings(), rec.toString());
        assertTrue(rec.bad.stream().allMatch(k -> k == Kind.TRUNCATED), rec.bad.toString());
        assertFalse(rec.bad.isEmpty(), "the spoofed messages pushed out are counted");
        assertEquals(1, rec.readings.stream().map(r -> r.meter()).distinct().count(), "nothing of the unlisted radios is stored");
    }

    @Test
    void listedMetersOnly_aListedMeterBehindAConverter_itsFragmentsUnderTheConvertersAddress_decode() throws Exception {
        WmbusDriver d = driver(false);
        byte[] mcr = Hex.bytes("07000000");
        List<byte[]> fragments = AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(20), Hex.bytes("78563412"), mcr, true),
                3, true, 1, mcr);
        for (byte[] f : fragments) {
            f[7] = (byte) 0x55; // link address 55345678: the converter's, not listed
            hear(d, f);
        }
        assertEquals(20, realReadings(), rec.toString());
        assertEquals(List.of(), rec.bad);
    }

    @Test
    void unknownMetersAccepted_spoofedFragmentsPushOnlyEachOtherOut_theRealMessageDecodes() throws Exception {
        floodAroundTheRealMessage(driver(true));
        assertEquals(20, realReadings(), rec.toString());
        assertTrue(rec.bad.stream().allMatch(k -> k == Kind.TRUNCATED), rec.bad.toString());
        assertFalse(rec.bad.isEmpty(), "the spoofed messages pushed out are counted");
    }
}
