package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Fragmented AFL messages (EN 13757-7 §6, CI 90): reassembly with bounds, MAC over the whole message. */
class AflFragmentTest {
    private static final KeyLookup KEY = (m, id) -> Optional.of(TestFrames.KEY.clone());
    private static final byte[] MCR = Hex.bytes("07000000");
    private final AtomicLong clock = new AtomicLong();
    private final AflReassembler fragments = new AflReassembler(clock::get, 30_000);

    /** Volume records: n × (04 13 value) — 6 bytes each, the i-th 1000·i litres (i m3). */
    static byte[] records(int n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 1; i <= n; i++) {
            int v = 1000 * i;
            b.writeBytes(new byte[] {0x04, 0x13, (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
        }
        return b.toByteArray();
    }

    /** Mode 7 TPL + APL (short header, 2F2F, records padded with 2F, AES-CBC IV 0 with Kenc). */
    private static byte[] mode7Message(byte[] recs, byte[] meterIdLe) throws Exception {
        return mode7Message(recs, meterIdLe, MCR);
    }

    /** As {@link #mode7Message(byte[], byte[])} with the message counter {@code mcr} (4 bytes, LSB first). */
    static byte[] mode7Message(byte[] recs, byte[] meterIdLe, byte[] mcr) throws Exception {
        return mode7Message(recs, meterIdLe, mcr, false);
    }

    /** As {@link #mode7Message(byte[], byte[], byte[])}; with {@code longHeader} a CI 72 header naming KAM {@code meterIdLe} (a meter behind a converter). */
    static byte[] mode7Message(byte[] recs, byte[] meterIdLe, byte[] mcr, boolean longHeader) throws Exception {
        int blocks = (2 + recs.length + 15) / 16;
        byte[] plain = new byte[16 * blocks];
        Arrays.fill(plain, (byte) 0x2F);
        System.arraycopy(recs, 0, plain, 2, recs.length);
        byte[] kEnc = WmbusCrypto.deriveKey(TestFrames.KEY, 0, mcr, meterIdLe);
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kEnc, "AES"), new IvParameterSpec(new byte[16]));
        byte[] head = {0x7A, 0x31, 0x00, (byte) (blocks << 4), 0x07, 0x10};
        if (longHeader) head = concat(Hex.bytes("72"), meterIdLe, Hex.bytes("2D 2C 1B 16"), Arrays.copyOfRange(head, 1, head.length)); // id M ver type
        byte[] out = Arrays.copyOf(head, head.length + plain.length);
        System.arraycopy(c.doFinal(plain), 0, out, head.length, plain.length);
        return out;
    }

    /** Splits {@code message} into {@code n} fragment frames from KAM 12345678; the first carries MCL, MCR, MAC (8), ML. */
    private static List<byte[]> fragment(byte[] message, int n, boolean mac, int firstFid) throws Exception {
        return fragment(message, n, mac, firstFid, MCR);
    }

    /** As {@link #fragment(byte[], int, boolean, int)} with the message counter {@code mcr}. */
    static List<byte[]> fragment(byte[] message, int n, boolean mac, int firstFid, byte[] mcr) throws Exception {
        byte[] ml = {(byte) message.length, (byte) (message.length >> 8)};
        byte[] afl1;
        if (mac) {
            byte[] kMac = WmbusCrypto.deriveKey(TestFrames.KEY, 1, mcr, Hex.bytes("78563412"));
            byte[] in = new byte[1 + 4 + 2 + message.length];
            in[0] = 0x25;
            System.arraycopy(mcr, 0, in, 1, 4);
            System.arraycopy(ml, 0, in, 5, 2);
            System.arraycopy(message, 0, in, 7, message.length);
            byte[] tag = Arrays.copyOf(AesCmac.mac(kMac, in), 8);
            afl1 = concat(Hex.bytes("25"), mcr, tag, ml); // MCL, MCR, MAC, ML
        } else {
            afl1 = concat(Hex.bytes("20"), ml); // MCL (no authentication), ML
        }
        List<byte[]> out = new ArrayList<>();
        int per = (message.length + n - 1) / n;
        for (int i = 0; i < n; i++) {
            boolean more = i < n - 1;
            int fid = (firstFid + i) & 0xFF;
            int fcl = (more ? 0x4000 : 0) | fid | (i == 0 ? 0x2000 | 0x1000 | (mac ? 0x0800 | 0x0400 : 0) : 0);
            byte[] fields = i == 0 ? afl1 : new byte[0];
            byte[] afl = concat(new byte[] {(byte) 0x90, (byte) (2 + fields.length), (byte) fcl, (byte) (fcl >> 8)}, fields);
            byte[] share = Arrays.copyOfRange(message, Math.min(message.length, i * per), Math.min(message.length, (i + 1) * per));
            out.add(TestFrames.withL(concat(Hex.bytes("44 2D2C 78563412 1B 16"), afl, share)));
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    /** The keys in use: plaintext messages are fed without one (a keyed meter's plaintext is refused, issue 14). */
    private KeyLookup keys = KEY;

    private WmbusTelegram feed(byte[] frame) throws DecodeException {
        return WmbusDecoder.decodeWithoutCrcs(frame, keys, null, DriverSet.none(), fragments);
    }

    private static void assertVolumes(WmbusTelegram t, int n) {
        assertEquals(n, t.records().size());
        BigDecimal last = ((io.meterlink.drivers.mbus.MbusValue.Numeric) t.records().get(n - 1).value()).value();
        assertEquals(0, new BigDecimal(n).compareTo(last), "last record " + last);
    }

    @Test
    void mode7_threeFragmentsInOrder_macOverTheWholeMessage_decodes() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        assertEquals(0x90, feed(f.get(0)).ci(), "held");
        assertTrue(feed(f.get(1)).records().isEmpty());
        WmbusTelegram t = feed(f.get(2));
        assertEquals(7, t.securityMode());
        assertEquals(0x7A, t.ci());
        assertVolumes(t, 20);
        assertEquals(0, fragments.pendingMessages());
        assertEquals(new AflReassembler.Dropped(0, 0), fragments.takeDropped());
    }

    @Test
    void outOfOrderAndDuplicate_fragmentsStillReassemble() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 4, true, 0xFE); // ids FE FF 00 01: wrap
        assertEquals(0x90, feed(f.get(2)).ci());
        assertEquals(0x90, feed(f.get(0)).ci());
        assertEquals(0x90, feed(f.get(0)).ci()); // the same fragment heard twice
        assertEquals(0x90, feed(f.get(3)).ci());
        assertVolumes(feed(f.get(1)), 20);
    }

    @Test
    void alteredFragment_macMismatch_isAuthentication() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        byte[] bad = f.get(1).clone();
        bad[bad.length - 3] ^= 0x01;
        feed(f.get(0));
        feed(bad);
        assertEquals(Kind.AUTHENTICATION, assertThrows(DecodeException.class, () -> feed(f.get(2))).kind());
    }

    @Test
    void longerThanOneFrame_withoutEncryption_recordsBeyondTheWiredLimit() throws Exception {
        keys = KeyLookup.none(); // unencrypted: no key for these meters
        byte[] message = concat(Hex.bytes("7A 31 00 00 00"), records(60)); // 365 bytes: more than one frame can hold
        List<byte[]> f = fragment(message, 3, false, 1);
        feed(f.get(0));
        feed(f.get(1));
        assertVolumes(feed(f.get(2)), 60);
    }

    @Test
    void missingFragment_timesOut_countedOnce_nextMessageDecodes() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        feed(f.get(0));
        feed(f.get(2)); // fragment 2 lost
        clock.addAndGet(31_000);
        assertEquals(new AflReassembler.Dropped(0, 1), fragments.takeDropped(), "no meter is listed here");
        assertEquals(0, fragments.pendingMessages());
        for (byte[] x : f) feed(x);
        assertEquals(0, fragments.pendingMessages());
    }

    @Test
    void theLastFragment_heardAtTheMessagesDeadline_completesIt_theClockIsReadOncePerFrame() throws Exception {
        AtomicLong now = new AtomicLong();
        AflReassembler store = new AflReassembler(now::getAndIncrement, 30_000); // each reading of the clock is 1 ms later
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 2, true, 1);
        WmbusDecoder.decodeWithoutCrcs(f.get(0), KEY, null, DriverSet.none(), store); // the clock read at 0
        now.set(30_000); // the last moment the message is in time
        WmbusTelegram t = WmbusDecoder.decodeWithoutCrcs(f.get(1), KEY, null, DriverSet.none(), store);
        assertVolumes(t, 20); // a second reading of the clock (30,001) for the same frame would have dropped the message
        assertEquals(0, store.pendingMessages(), "no lone last fragment left held");
        assertEquals(new AflReassembler.Dropped(0, 0), store.takeDropped());
    }

    @Test
    void aListedMetersMessage_droppedIncomplete_isCountedApartFromAnUnlistedRadios() throws Exception {
        AflReassembler store = new AflReassembler(clock::get, 30_000, (man, id) -> id.equals("12345678"));
        List<byte[]> listed = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        byte[] unlisted = listed.get(0).clone();
        unlisted[4] = 0x79; // 12345679
        WmbusDecoder.decodeWithoutCrcs(listed.get(0), KEY, null, DriverSet.none(), store);
        WmbusDecoder.decodeWithoutCrcs(unlisted, KEY, null, DriverSet.none(), store);
        clock.addAndGet(31_000);
        assertEquals(new AflReassembler.Dropped(1, 1), store.takeDropped());
        assertEquals(new AflReassembler.Dropped(0, 0), store.takeDropped(), "each given once");
    }

    @Test
    void aStaleFragmentFromOutsideTheIds_plusALostOne_isATypedRefusal_notACrash() throws Exception {
        List<byte[]> stale = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 6); // ids 6 7 8
        List<byte[]> next = fragment(mode7Message(records(21), Hex.bytes("78563412")), 3, true, 0); // ids 0 1 2
        feed(stale.get(1)); // id 7, its first fragment never heard
        feed(next.get(0));
        // id 1 lost: three held for the ids 0..2, but one of them is 7
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, () -> feed(next.get(2))).kind());
        assertEquals(0, fragments.pendingMessages(), "the broken message is dropped");
        for (byte[] x : next) feed(x); // heard again whole: decodes
        assertEquals(0, fragments.pendingMessages());
    }

    @Test
    void newFirstFragment_dropsTheIncompleteMessage() throws Exception {
        List<byte[]> a = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        List<byte[]> b = fragment(mode7Message(records(21), Hex.bytes("78563412")), 3, true, 9);
        feed(a.get(0));
        feed(a.get(1));
        feed(b.get(0));
        feed(b.get(1));
        assertVolumes(feed(b.get(2)), 21);
        assertEquals(new AflReassembler.Dropped(0, 1), fragments.takeDropped());
    }

    @Test
    void conflictingDuplicate_tooManyFragments_tooLong_areTypedRefusals() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        feed(f.get(0));
        byte[] other = f.get(0).clone();
        other[other.length - 1] ^= 1;
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, () -> feed(other)).kind());
        assertEquals(0, fragments.pendingMessages(), "the broken message is dropped");

        List<byte[]> many = fragment(concat(Hex.bytes("7A 31 00 00 00"), records(30)), AflReassembler.MAX_FRAGMENTS + 2, false, 1);
        DecodeException e = null;
        for (byte[] x : many) {
            try {
                feed(x);
            } catch (DecodeException ex) {
                e = ex;
                break;
            }
        }
        assertNotNull(e, "more than MAX_FRAGMENTS fragments are refused");
        assertEquals(Kind.SYNTAX, e.kind());

        // hostile: endless 'more fragments' of 200 bytes each never grow beyond MAX_MESSAGE
        byte[] big = new byte[200];
        DecodeException tooLong = null;
        for (int i = 0; i < 12 && tooLong == null; i++) {
            int fcl = 0x4000 | (i + 1) | (i == 0 ? 0x2000 : 0);
            byte[] afl = i == 0 ? Hex.bytes("90 03") : Hex.bytes("90 02");
            byte[] frame = TestFrames.withL(concat(Hex.bytes("44 2D2C 78563412 1B 16"), afl, new byte[] {(byte) fcl, (byte) (fcl >> 8)},
                    i == 0 ? Hex.bytes("20") : new byte[0], big));
            try {
                feed(frame);
            } catch (DecodeException ex) {
                tooLong = ex;
            }
        }
        assertNotNull(tooLong);
        assertTrue(tooLong.getMessage().contains("longer than"), tooLong.getMessage());
        assertEquals(0, fragments.pendingMessages());
    }

    @Test
    void interleavedMeters_eachReassembledOnItsOwn_andPendingBounded() throws Exception {
        keys = KeyLookup.none(); // unencrypted: no key for these meters
        byte[] m = concat(Hex.bytes("7A 31 00 00 00"), records(10));
        List<byte[]> a = fragment(m, 2, false, 1);
        List<byte[]> b = new ArrayList<>();
        for (byte[] x : fragment(m, 2, false, 1)) {
            byte[] y = x.clone();
            y[4] = 0x79; // another meter: id 12345679
            b.add(y);
        }
        feed(a.get(0));
        feed(b.get(0));
        assertEquals(2, fragments.pendingMessages());
        WmbusTelegram tb = feed(b.get(1));
        assertEquals("12345679", tb.id());
        assertVolumes(tb, 10);
        assertEquals("12345678", feed(a.get(1)).id());

        // a flood of first fragments from made-up meters: never more than MAX_PENDING held, the rest dropped and counted
        int flood = AflReassembler.MAX_PENDING + 50;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < flood; i++) ids.add(i);
        Collections.shuffle(ids, new java.util.Random(3));
        for (int i : ids) {
            byte[] y = a.get(0).clone();
            y[4] = (byte) i;
            y[5] = (byte) (i >> 8);
            feed(y);
        }
        assertEquals(AflReassembler.MAX_PENDING, fragments.pendingMessages());
        assertEquals(new AflReassembler.Dropped(0, flood - AflReassembler.MAX_PENDING), fragments.takeDropped());
    }

    @Test
    void aStoreFullOfKnownRadios_takesNoUnknownOne_andAKnownOnePushesTheOldestKnownOut() throws Exception {
        AflReassembler store = new AflReassembler(clock::get, 30_000, (man, id) -> id.startsWith("9"));
        byte[] f0 = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1).get(0);
        List<byte[]> known = new ArrayList<>();
        for (int i = 0; i < AflReassembler.MAX_PENDING; i++) {
            byte[] y = f0.clone();
            y[4] = (byte) i;
            y[7] = (byte) 0x90; // id 90xxxxxx: known
            known.add(y);
            WmbusDecoder.decodeWithoutCrcs(y, KEY, null, DriverSet.none(), store);
        }
        assertEquals(AflReassembler.MAX_PENDING, store.pendingMessages());
        WmbusDecoder.decodeWithoutCrcs(f0, KEY, null, DriverSet.none(), store); // 12345678: unknown
        assertEquals(new AflReassembler.Dropped(0, 1), store.takeDropped(), "the unknown radio's message is not held");
        assertFalse(store.inProgress(f0));
        assertTrue(store.inProgress(known.get(0)), "no known radio was pushed out for it");
        byte[] y = f0.clone();
        y[7] = (byte) 0x91; // 91345678: known, pushes the oldest known out
        WmbusDecoder.decodeWithoutCrcs(y, KEY, null, DriverSet.none(), store);
        assertEquals(new AflReassembler.Dropped(1, 0), store.takeDropped(), "a known radio's message was pushed out");
        assertTrue(store.inProgress(y));
        assertFalse(store.inProgress(known.get(0)), "the least recently heard known radio made room");
        assertEquals(AflReassembler.MAX_PENDING, store.pendingMessages());
    }

    @Test
    void aConvertersRadio_whoseFirstFragmentNamesAKnownMeter_isNotPushedOutByUnknownRadios() throws Exception {
        AflReassembler store = new AflReassembler(clock::get, 30_000, (man, id) -> id.equals("12345678"));
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412"), MCR, true), 2, true, 1, MCR);
        for (byte[] x : f) x[7] = (byte) 0x55; // the converter's link address 55345678: no known meter
        WmbusDecoder.decodeWithoutCrcs(f.get(0), KEY, null, DriverSet.none(), store);
        for (int i = 0; i < 2 * AflReassembler.MAX_PENDING; i++) { // made-up radios with short headers: unknown
            byte[] y = fragment(mode7Message(records(20), Hex.bytes("78563412")), 2, true, 1).get(0);
            y[4] = (byte) i;
            y[5] = (byte) (i >> 8);
            y[7] = (byte) 0x66;
            WmbusDecoder.decodeWithoutCrcs(y, KEY, null, DriverSet.none(), store);
        }
        assertTrue(store.inProgress(f.get(0)), "the converter's message was kept");
        WmbusTelegram t = WmbusDecoder.decodeWithoutCrcs(f.get(1), KEY, null, DriverSet.none(), store);
        assertEquals("12345678", t.id());
        assertEquals("55345678", t.link().id());
        assertVolumes(t, 20);
    }

    @Test
    void withoutAReassembler_aFragmentIsUnsupported() throws Exception {
        List<byte[]> f = fragment(mode7Message(records(20), Hex.bytes("78563412")), 3, true, 1);
        assertEquals(Kind.UNSUPPORTED, assertThrows(DecodeException.class,
                () -> WmbusDecoder.decodeWithoutCrcs(f.get(0), KEY, null)).kind());
    }
}
