package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A radio DoS on AFL reassembly: spoofed fragments from made-up radios, more than the store holds,
 * interleaved with a listed meter's fragmented mode 7 message, which must still decode. Incomplete
 * messages are counted as {@code truncated} only when they are wanted: a listed meter's, or any radio's
 * under {@code accept_unknown}; an unlisted radio's are no bad input of this gateway.
 */
class WmbusFragmentFloodTest {
    private static final MeterId REAL = MeterId.of("wmbus:KAM:12345678");
    private static final byte[] MCR = Hex.bytes("07000000");

    private static FedDriver driver(boolean acceptUnknown) {
        return new FedDriver(acceptUnknown, List.of(FedDriver.keyed("12345678")));
    }

    /** The listed meter's 3-fragment mode 7 message, first fragment id {@code firstFid}. */
    private static List<byte[]> realMessage(int firstFid) throws Exception {
        return AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(20), Hex.bytes("78563412"), MCR), 3, true,
                firstFid, MCR);
    }

    /** {@code fragment} as sent by the made-up radio {@code spoofer}: id 1234xxxx, never the real 12345678. */
    private static byte[] spoofed(byte[] fragment, int spoofer) {
        byte[] y = fragment.clone();
        y[4] = (byte) spoofer;
        y[5] = (byte) (spoofer >> 8);
        return y;
    }

    /** The real message's three fragments, each after a flood of first fragments from {@code 3 × 2 × MAX_PENDING} made-up radios. */
    private static void floodAroundTheRealMessage(FedDriver d) throws Exception {
        List<byte[]> real = realMessage(1);
        int spoofer = 0;
        for (byte[] fragment : real) {
            d.hear(fragment);
            for (int i = 0; i < 2 * AflReassembler.MAX_PENDING; i++, spoofer++) d.hear(spoofed(real.get(0), spoofer));
        }
    }

    private static long realReadings(FedDriver d) {
        return d.rec.readings.stream().filter(r -> r.meter().equals(REAL)).count();
    }

    @Test
    void listedMetersOnly_spoofedFragmentsPushOnlyEachOtherOut_theRealMessageDecodes_unlistedRadiosAreNotCounted() throws Exception {
        FedDriver d = driver(false);
        floodAroundTheRealMessage(d);
        assertEquals(20, realReadings(d), d.rec.toString());
        assertEquals(List.of(), d.rec.bad, "the spoofed messages pushed out are unlisted radios': no bad input of this gateway");
        assertEquals(1, d.rec.readings.stream().map(r -> r.meter()).distinct().count(), "nothing of the unlisted radios is stored");
    }

    @Test
    void listedMetersOnly_aListedMeterBehindAConverter_itsFragmentsUnderTheConvertersAddress_decode() throws Exception {
        FedDriver d = driver(false);
        List<byte[]> fragments = AflFragmentTest.fragment(AflFragmentTest.mode7Message(AflFragmentTest.records(20), Hex.bytes("78563412"), MCR, true),
                3, true, 1, MCR);
        for (byte[] f : fragments) {
            f[7] = (byte) 0x55; // link address 55345678: the converter's, not listed
            d.hear(f);
        }
        assertEquals(20, realReadings(d), d.rec.toString());
        assertEquals(List.of(), d.rec.bad);
    }

    @Test
    void unknownMetersAccepted_spoofedFragmentsPushOnlyEachOtherOut_theRealMessageDecodes() throws Exception {
        FedDriver d = driver(true);
        floodAroundTheRealMessage(d);
        assertEquals(20, realReadings(d), d.rec.toString());
        assertTrue(d.rec.bad.stream().allMatch(k -> k == Kind.TRUNCATED), d.rec.bad.toString());
        assertEquals(3 * 2 * AflReassembler.MAX_PENDING - AflReassembler.MAX_PENDING, d.rec.bad.size(),
                "every spoofed message pushed out is counted: all but the MAX_PENDING still held");
    }

    /** Two fragments of a message, then the first of the radio's next one: the first message is left incomplete. */
    private static void oneMessageLeftIncomplete(FedDriver d, List<byte[]> first, List<byte[]> next) throws InterruptedException {
        d.hear(first.get(0));
        d.hear(first.get(1));
        d.hear(next.get(0));
    }

    @Test
    void anIncompleteMessage_isTruncated_forAListedMeter_andUnderAcceptUnknown_notForAnUnlistedRadio() throws Exception {
        FedDriver listed = driver(false);
        oneMessageLeftIncomplete(listed, realMessage(1), realMessage(9));
        assertEquals(List.of(Kind.TRUNCATED), listed.rec.bad, "the listed meter's message dropped incomplete");

        List<byte[]> unlisted = realMessage(1).stream().map(f -> spoofed(f, 7)).toList();
        List<byte[]> unlistedNext = realMessage(9).stream().map(f -> spoofed(f, 7)).toList();
        FedDriver ignoring = driver(false);
        oneMessageLeftIncomplete(ignoring, unlisted, unlistedNext);
        assertEquals(List.of(), ignoring.rec.bad, "an unlisted radio's incomplete message, its telegrams ignored");

        FedDriver accepting = driver(true);
        oneMessageLeftIncomplete(accepting, unlisted, unlistedNext);
        assertEquals(List.of(Kind.TRUNCATED), accepting.rec.bad, "under accept_unknown every radio's message is wanted");
    }

    /**
     * The fragments of {@code m} (fids 1..3, 3 the last) and one that breaks it: {@code twice}, fragment 2 heard again
     * with another last byte; {@code twoLast}, after the last fragment a second one (fid 4, more fragments clear).
     */
    private static List<byte[]> broken(List<byte[]> m, String how) {
        if (how.equals("twice")) {
            byte[] other = m.get(1).clone();
            other[other.length - 1] ^= 0x01;
            return List.of(m.get(0), m.get(1), other);
        }
        byte[] secondLast = m.get(2).clone();
        secondLast[12] = 4; // FCL, low byte: fragment id 4 (after L, C, M, A, version, type, CI 90, AFL length)
        return List.of(m.get(0), m.get(2), secondLast);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"twice", "twoLast"})
    void aBrokenMessage_isSyntax_forAListedMeter_andUnderAcceptUnknown_notForAnUnlistedRadio(String how) throws Exception {
        FedDriver listed = driver(false);
        for (byte[] f : broken(realMessage(1), how)) listed.hear(f);
        assertEquals(List.of(Kind.SYNTAX), listed.rec.bad, "the listed meter's message broken");

        List<byte[]> unlisted = broken(realMessage(1).stream().map(f -> spoofed(f, 7)).toList(), how);
        FedDriver ignoring = driver(false);
        for (byte[] f : unlisted) ignoring.hear(f);
        assertEquals(List.of(), ignoring.rec.bad, "an unlisted radio's broken message, its telegrams ignored");
        assertEquals(List.of(), ignoring.rec.readings);

        FedDriver accepting = driver(true);
        for (byte[] f : unlisted) accepting.hear(f);
        assertEquals(List.of(Kind.SYNTAX), accepting.rec.bad, "under accept_unknown every radio's message is wanted");
    }
}
