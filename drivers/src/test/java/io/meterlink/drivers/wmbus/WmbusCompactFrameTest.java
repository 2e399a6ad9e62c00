package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.Crc16;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.testing.Hex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Compact frames (OMS Vol 2, CI 7B/79): rebuilt from the format of a full frame heard before. */
class WmbusCompactFrameTest {
    /** The DIB and VIB bytes of {@link TestFrames#RECORDS}: the format. */
    private static final String FORMAT = "0C 13" + "0A 5A" + "02 FD 17";
    /** The data of {@link TestFrames#RECORDS} without DIB/VIB. */
    private static final String DATA = "78 56 34 12" + "56 04" + "00 00";

    /** KAM 12345678 v27 type 16, CI 7B (compact frame, short header): signature, full-frame CRC (both LSB first), data. */
    private static byte[] compact(int accessNumber, int signature, int fullCrc, String data) {
        return TestFrames.withL(Hex.bytes("44 2D2C 78563412 1B 16 7B" + String.format("%02X", accessNumber) + "00 0000"
                + le16(signature) + le16(fullCrc) + data));
    }

    private static String le16(int v) { return String.format("%02X%02X", v & 0xFF, v >> 8 & 0xFF); }

    private static int crc(String hex) {
        byte[] b = Hex.bytes(hex);
        return Crc16.of(b, 0, b.length);
    }

    @Test
    void compactFrame_afterAFullFrameOfItsFormat_decodesToTheSameRecords() throws Exception {
        FormatCache formats = new FormatCache();
        WmbusTelegram full = WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), formats);
        assertEquals(1, formats.size());
        WmbusTelegram c = WmbusDecoder.decode(compact(2, crc(FORMAT), crc(TestFrames.RECORDS), DATA), KeyLookup.none(), formats);
        assertEquals(0x7B, c.ci());
        assertEquals(2, c.accessNumber());
        assertEquals(values(full.records()), values(c.records()));
        assertNull(c.undecoded());
    }

    @Test
    void compactFrame_withoutAFullFrameOfItsFormat_isATypedError() {
        byte[] frame = compact(2, crc(FORMAT), crc(TestFrames.RECORDS), DATA);
        DecodeException noCache = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(frame, KeyLookup.none()));
        assertEquals(Kind.UNSUPPORTED, noCache.kind());
        assertTrue(noCache.getMessage().contains("compact frame"), noCache.getMessage());
        DecodeException unknown = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(frame, KeyLookup.none(), new FormatCache()));
        assertEquals(Kind.UNSUPPORTED, unknown.kind());
        assertEquals("wmbus:KAM:12345678", unknown.meter());
    }

    @Test
    void compactFrame_ofAnotherModel_isNotDecodedWithThisFormat() throws Exception {
        FormatCache formats = new FormatCache();
        WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), formats);
        byte[] otherVersion = compact(2, crc(FORMAT), crc(TestFrames.RECORDS), DATA);
        otherVersion[8] = 0x1C; // version 28
        assertEquals(Kind.UNSUPPORTED, assertThrows(DecodeException.class,
                () -> WmbusDecoder.decode(otherVersion, KeyLookup.none(), formats)).kind());
    }

    @Test
    void compactFrame_whoseDataDoesNotFitTheFormat_isRefusedNeverMisread() throws Exception {
        FormatCache formats = new FormatCache();
        WmbusDecoder.decode(TestFrames.plain(1), KeyLookup.none(), formats);
        // one data byte altered: the full-frame CRC no longer matches the rebuilt records
        byte[] altered = compact(2, crc(FORMAT), crc(TestFrames.RECORDS), "78 56 34 13" + "56 04" + "00 00");
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(altered, KeyLookup.none(), formats)).kind());
        // data shorter than the format
        byte[] shorter = compact(2, crc(FORMAT), crc(TestFrames.RECORDS), "78 56 34 12 56 04");
        assertEquals(Kind.TRUNCATED, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(shorter, KeyLookup.none(), formats)).kind());
        // data longer than the format (not idle filler)
        byte[] longer = compact(2, crc(FORMAT), crc(TestFrames.RECORDS), DATA + "01");
        assertEquals(Kind.SYNTAX, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(longer, KeyLookup.none(), formats)).kind());
        // idle filler after the data (padding) is fine
        assertEquals(3, WmbusDecoder.decode(compact(3, crc(FORMAT), crc(TestFrames.RECORDS), DATA + "2F 2F"), KeyLookup.none(), formats)
                .records().size());
    }

    @Test
    void formatCache_isBounded_forgettingTheLeastRecentlyUsed() {
        FormatCache formats = new FormatCache(2);
        formats.learn("A/1/7", Hex.bytes("0C 13"));
        formats.learn("B/1/7", Hex.bytes("0C 13"));
        assertNotNull(formats.lookup("A/1/7", crc("0C 13"))); // A is now the most recent
        formats.learn("C/1/7", Hex.bytes("0C 13"));
        assertEquals(2, formats.size());
        assertNull(formats.lookup("B/1/7", crc("0C 13")));
        assertNotNull(formats.lookup("A/1/7", crc("0C 13")));
        assertNotNull(formats.lookup("C/1/7", crc("0C 13")));
    }

    @Test
    void formatCache_sharedByThreads_staysConsistentAndBounded() throws Exception {
        FormatCache formats = new FormatCache(64);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    int hits = 0;
                    for (int i = 0; i < 2_000; i++) {
                        String model = "M" + (i % 100) + "/" + thread + "/7";
                        byte[] format = Hex.bytes(String.format("0C 13 0A %02X", i % 100));
                        formats.learn(model, format);
                        byte[] back = formats.lookup(model, FormatCache.signature(format));
                        if (back != null) {
                            assertArrayEquals(format, back);
                            hits++;
                        }
                    }
                    return hits;
                }));
            }
            for (Future<Integer> f : done) assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(formats.size() <= 64, "size " + formats.size());
    }

    private static List<String> values(List<MbusRecord> records) {
        return records.stream().map(r -> r.dib() + " " + r.vib() + " " + r.value()).toList();
    }
}
