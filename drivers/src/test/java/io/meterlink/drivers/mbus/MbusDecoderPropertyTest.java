package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Any bytes give frames/readings or a DecodeException, nothing else (no runtime exception, no hang). */
class MbusDecoderPropertyTest {
    private final MbusDecoder decoder = new MbusDecoder();
    private final MbusReadingMapper mapper = new MbusReadingMapper(ZoneOffset.UTC);

    /** Inputs that reached each stage: the property holds only if the inputs got that far. */
    private int framerErrors, decoded, decoderErrors;

    /** Frames then decodes everything in {@code bytes}; returns how many readings came out. */
    private int pipeline(byte[] bytes) {
        MbusFramer framer = new MbusFramer();
        framer.feed(bytes);
        int readings = 0;
        for (int guard = 0; guard < bytes.length + 2; guard++) {
            MbusFrame f;
            try {
                f = framer.next();
            } catch (DecodeException e) {
                assertNotNull(e.kind());
                framerErrors++;
                continue;
            }
            if (f == null) break;
            if (f instanceof MbusFrame.Long l) {
                try {
                    readings += mapper.toReadings(decoder.decode(l), Instant.EPOCH, null).size();
                    decoded++;
                } catch (DecodeException e) {
                    assertNotNull(e.kind());
                    decoderErrors++;
                }
            }
        }
        return readings;
    }

    @Test
    void randomBytes_giveReadingsOrDecodeException() {
        Random rnd = new Random(20240501L);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(300)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) b[0] = 0x68;
            pipeline(b);
        }
        assertTrue(framerErrors > 1_000, "the framer saw and refused the junk: " + framerErrors);
    }

    @Test
    void randomUserDataInValidFrames_giveReadingsOrDecodeException() {
        Random rnd = new Random(7L);
        for (int i = 0; i < 20_000; i++) {
            byte[] data = new byte[rnd.nextInt(MbusFrame.Long.MAX_DATA + 1)];
            rnd.nextBytes(data);
            pipeline(new MbusFrame.Long(0x08, rnd.nextInt(251), rnd.nextBoolean() ? 0x72 : 0x76, data).toBytes());
        }
        assertEquals(20_000, decoded + decoderErrors, "every generated frame reached the decoder");
        assertTrue(decoded > 100 && decoderErrors > 100, "both outcomes exercised: decoded " + decoded + ", refused " + decoderErrors);
    }

    @Test
    void mutatedRealFrames_giveReadingsOrDecodeException() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (Path p : LibmbusFrames.hexFiles("test-frames")) frames.add(LibmbusFrames.frame(p));
        Random rnd = new Random(42L);
        int withReadings = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] f = frames.get(rnd.nextInt(frames.size())).clone();
            int mutations = 1 + rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
            // re-seal the checksum half of the time so that the decoder, not the framer, sees the damage
            if (rnd.nextBoolean() && f.length > 6 && (f[0] & 0xFF) == 0x68) {
                int l = Math.min(f[1] & 0xFF, f.length - 6);
                int cs = 0;
                for (int k = 4; k < 4 + l; k++) cs += f[k];
                f[4 + l] = (byte) cs;
            }
            byte[] cut = rnd.nextInt(5) == 0 ? java.util.Arrays.copyOf(f, rnd.nextInt(f.length)) : f;
            if (pipeline(cut) > 0) withReadings++;
        }
        assertTrue(withReadings > 1000, "mutations should still leave many decodable frames, got " + withReadings);
    }
}
