package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.FormatCache;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Random and mutated real frames give a telegram (and readings) or a DecodeException, nothing else. */
class WmbusDecoderPropertyTest {
    private final WmbusReadingMapper mapper = new WmbusReadingMapper(ZoneOffset.UTC);
    private static final KeyLookup KEY = (m, id) -> Optional.of(TestFrames.KEY.clone());
    /** Shared by every decode, as in the driver: full frames teach formats, compact frames use them. */
    private final FormatCache formats = new FormatCache();

    private boolean decodes(byte[] f, KeyLookup keys) {
        try {
            WmbusTelegram t = WmbusDecoder.decode(f, keys, formats);
            mapper.toReadings(t, Instant.EPOCH, null);
            return true;
        } catch (DecodeException e) {
            assertNotNull(e.kind());
            return false;
        }
    }

    @Test
    void randomBytes_giveTelegramOrDecodeException() {
        Random rnd = new Random(11L);
        for (int i = 0; i < 30_000; i++) {
            byte[] b = new byte[rnd.nextInt(260)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) (b.length - 1);
            if (b.length > 10 && rnd.nextBoolean()) {
                b[10] = (byte) new int[] {0x7A, 0x72, 0x78, 0x8C, 0x8D, 0x90, 0x79, 0x7B, 0x73}[rnd.nextInt(9)];
            }
            decodes(b, rnd.nextBoolean() ? KEY : KeyLookup.none());
        }
    }

    @Test
    void mutatedRealFrames_giveTelegramOrDecodeException() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        frames.add(TestFrames.plain(1));
        frames.add(TestFrames.mode5(2, TestFrames.KEY));
        frames.add(LinkLayer.withCrcA(TestFrames.plain(3)));
        frames.add(LinkLayer.withCrcB(TestFrames.plain(4)));
        // a compact frame (CI 7B) of the plain telegram's format: signature A5FE, full-frame CRC 931F
        frames.add(TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 7B 05 00 0000 A5FE 931F 78563412 5604 0000")));
        List<KeyLookup> keys = new ArrayList<>(List.of(KeyLookup.none(), KEY, KeyLookup.none(), KeyLookup.none(), KeyLookup.none()));
        String base = System.getProperty("meterlink.testdata", System.getenv("METERLINK_TESTDATA"));
        boolean corpus = base != null && java.nio.file.Files.isDirectory(java.nio.file.Path.of(base, "crypto"));
        if (!corpus) { // the vectors make this test much stronger: never dropped silently
            String msg = "crypto corpus not found (meterlink.testdata=" + base + "): mutating only the built-in frames";
            if (io.meterlink.drivers.testing.Ci.active()) org.junit.jupiter.api.Assertions.fail(msg);
            System.out.println(msg);
        } else {
            for (Map<String, Object> v : WmbusCryptoVectorsTest.vectors()) {
                if (!WmbusCryptoVectorsTest.wireless(v)) continue;
                frames.add(WmbusCryptoVectorsTest.frameOf(v));
                keys.add(WmbusCryptoVectorsTest.keysOf(v));
            }
        }
        Random rnd = new Random(42L);
        int decoded = 0;
        for (int i = 0; i < 30_000; i++) {
            int k = rnd.nextInt(frames.size());
            byte[] f = frames.get(k).clone();
            int mutations = rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) f[1 + rnd.nextInt(f.length - 1)] = (byte) rnd.nextInt(256);
            if (rnd.nextInt(5) == 0) f = Arrays.copyOf(f, rnd.nextInt(f.length + 1));
            if (decodes(f, keys.get(k))) decoded++;
        }
        assertTrue(decoded > 3_000, "many mutated frames should still decode, got " + decoded);
    }

    @Test
    void mode5Frames_withMutatedCiphertext_giveTelegramOrDecodeException() throws Exception {
        byte[] good = TestFrames.mode5(7, TestFrames.KEY);
        Random rnd = new Random(5L);
        for (int i = 0; i < 5_000; i++) {
            byte[] f = good.clone();
            int at = 16 + rnd.nextInt(f.length - 16); // inside the ciphertext
            f[at] ^= (byte) (1 + rnd.nextInt(255));
            try {
                WmbusTelegram t = WmbusDecoder.decode(f, KEY);
                // mode 5 has no MAC: the 2F2F check guards the first block only (documented in docs/wmbus.md)
                assertEquals("12345678", t.id());
            } catch (DecodeException e) {
                assertNotNull(e.kind());
            }
        }
    }
}
