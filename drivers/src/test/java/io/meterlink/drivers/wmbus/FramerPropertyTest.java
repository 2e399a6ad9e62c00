package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The property of every framer (STYLE.md, issue 3 §5): any byte stream, fed in any chunks, gives
 * whole frames, {@code null} (more input needed) or a {@link DecodeException}, nothing else, and the
 * frames go on decoding to a telegram or a {@code DecodeException}. Streams are random bytes and real
 * messages with garbage, mutations and cuts in between. The slowest call is printed, not asserted.
 */
class FramerPropertyTest {
    private static final byte[] NO_L = Arrays.copyOfRange(TestFrames.plain(0x42), 1, TestFrames.plain(0x42).length);
    private long slowestNs;
    /** Calls are timed only after the first half (the JIT has compiled the framers by then). */
    private boolean timing;

    /** One good message of each dongle framer, carrying the same frame. */
    private static byte[] message(String dongle, int i) {
        return switch (dongle) {
            case "im871a" -> WmbusDongleFramerTest.imMessage(2, 3, NO_L, 0x80 + i % 64);
            case "amb8465" -> WmbusDongleFramerTest.ambCommand(0x03, WmbusDongleFramerTest.cat(NO_L, new byte[] {(byte) i}));
            case "iu891a" -> Iu891aFramer.encode(0x09, 0x20, WmbusDongleFramerTest.cat(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) -(i % 100)},
                    TestFrames.plain(i & 0xFF)));
            default -> (HexFormat.of().formatHex(TestFrames.plain(i & 0xFF)) + "\n").getBytes(StandardCharsets.US_ASCII);
        };
    }

    private static DongleFramer framer(String dongle) {
        return switch (dongle) {
            case "im871a" -> new Im871aFramer(WmbusMode.T1);
            case "amb8465" -> new Amb8465Framer(WmbusMode.T1, true);
            case "iu891a" -> new Iu891aFramer();
            default -> new HexLineFramer();
        };
    }

    /** A stream of good messages with random garbage, byte mutations and cut messages between them. */
    private static byte[] stream(Random rnd, Supplier<byte[]> good) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int m = 0; m < 1 + rnd.nextInt(8); m++) {
            byte[] g = good.get();
            switch (rnd.nextInt(4)) {
                case 0 -> { byte[] junk = new byte[rnd.nextInt(40)]; rnd.nextBytes(junk); out.writeBytes(junk); }
                case 1 -> g[rnd.nextInt(g.length)] = (byte) rnd.nextInt(256);
                case 2 -> g = Arrays.copyOf(g, rnd.nextInt(g.length + 1));
                default -> { }
            }
            out.writeBytes(g);
        }
        return out.toByteArray();
    }

    interface Feed { void feed(byte[] bytes, int off, int len); }
    interface Next<F> { F next() throws DecodeException; }
    /** Decodes a frame; false when it is no telegram to decode (an E5, a short frame). */
    interface Decode<F> { boolean decode(F frame) throws DecodeException; }

    /**
     * Feeds {@code bytes} in random chunks, after each one takes frames until {@code null}; every
     * frame is decoded. A DecodeException from either is the allowed outcome; returns the telegrams.
     */
    private <F> int run(byte[] bytes, Random rnd, Feed feed, Next<F> next, Decode<F> decode) {
        int telegrams = 0;
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + rnd.nextInt(64));
            feed.feed(bytes, at, n);
            at += n;
            for (int guard = 0; ; guard++) {
                assertTrue(guard < 10_000, "framer does not come to rest");
                long t0 = System.nanoTime();
                F frame;
                try {
                    frame = next.next();
                } catch (DecodeException e) {
                    assertNotNull(e.kind());
                    continue;
                } finally {
                    if (timing) slowestNs = Math.max(slowestNs, System.nanoTime() - t0);
                }
                if (frame == null) break;
                try {
                    if (decode.decode(frame)) telegrams++;
                } catch (DecodeException e) {
                    assertNotNull(e.kind());
                }
            }
        }
        return telegrams;
    }

    private int dongle(DongleFramer f, byte[] bytes, Random rnd, FormatCache formats) {
        return run(bytes, rnd, (b, off, n) -> f.feed(Arrays.copyOfRange(b, off, off + n), n), f::next,
                r -> WmbusDecoder.decode(r.frame(), KeyLookup.none(), formats) != null);
    }

    @Test
    void dongleFramers_anyStream_givesFramesNullOrDecodeException() {
        for (String dongle : new String[] {"im871a", "amb8465", "iu891a", "hexlines"}) {
            Random rnd = new Random(dongle.hashCode());
            FormatCache formats = new FormatCache();
            int telegrams = 0;
            for (int i = 0; i < 2_000; i++) {
                timing = i >= 1_000;
                DongleFramer f = framer(dongle);
                byte[] random = new byte[rnd.nextInt(300)];
                rnd.nextBytes(random);
                dongle(f, random, rnd, formats);
                int k = i;
                telegrams += dongle(f, stream(rnd, () -> message(dongle, k)), rnd, formats);
            }
            assertTrue(telegrams > 500, dongle + ": good messages among the damage should still come through, got " + telegrams);
        }
        System.out.printf("dongle framers: slowest next() after warm-up %.3f ms (includes GC pauses)%n", slowestNs / 1e6);
    }

    @Test
    void mbusFramer_anyStream_givesFramesNullOrDecodeException() {
        Random rnd = new Random(3L);
        MbusDecoder decoder = new MbusDecoder();
        int telegrams = 0;
        for (int i = 0; i < 3_000; i++) {
            MbusFramer f = new MbusFramer();
            int k = i;
            byte[] bytes = rnd.nextInt(3) == 0 ? randomBytes(rnd)
                    : stream(rnd, () -> new MbusFrame.Long(0x08, k % 251, 0x72,
                            Hex.bytes("78 56 34 12 2D 2C 01 07 2A 00 00 00 04 13 01 00 00 00")).toBytes());
            telegrams += run(bytes, rnd, f::feed, f::next,
                    frame -> frame instanceof MbusFrame.Long l && l.dataLength() > 0 && decoder.decode(l) != null);
            assertTrue(f.buffered() <= MbusFramer.MAX_FRAME * 2, "buffer bounded, holds " + f.buffered());
        }
        assertTrue(telegrams > 1_000, "good frames among the damage should still come through, got " + telegrams);
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) b[0] = 0x68;
        return b;
    }
}
