package io.meterlink.drivers.obis;

import io.meterlink.drivers.crc.Crc16;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.StreamDecoding;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class StreamDriverTest {
    /** A DSMR 5 telegram (after the DSMR 5.0.2 §6.12 example, shortened); {@code %s} is the import register. */
    private static final String DSMR5 = String.join("\r\n",
            "/ISk5\\2MT382-1000", "",
            "1-3:0.2.8(50)",
            "0-0:1.0.0(101209113020W)",                         // 2010-12-09 11:30:20 CET
            "0-0:96.1.1(4B384547303034303436333935353037)",     // equipment id "K8EG004046395507"
            "1-0:1.8.1(%s*kWh)",                                // import tariff 1
            "1-0:2.8.1(000002.002*kWh)",                        // export tariff 1: same quantity and tariff, other sub-unit
            "1-0:32.7.0(220.1*V)",
            "1-0:99.1.0(7*xyz)",                                // a code with no canonical quantity: kept, counted, no reading
            "0-1:96.1.0(3232323241424344313233343536373839)",   // gas meter on channel 1
            "0-1:24.2.1(101209112500W)(12785.123*m3)",
            "!");

    static byte[] telegram(String importKwh) {
        String t = String.format(DSMR5, importKwh);
        byte[] b = t.getBytes(StandardCharsets.ISO_8859_1);
        return (t + String.format("%04X", Crc16.ARC.of(b, 0, b.length)) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static void await(BooleanSupplier c, String what, Object state) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what + ": " + state);
            Thread.sleep(10);
        }
    }

    private static Driver driver(FrameDecoder d, FeedLine line, Recording rec) {
        return new StreamDriver(d, FrameDecoder.Options.none(), new ObisReadings(ZoneOffset.UTC), 300, line, rec);
    }

    private static BigDecimal value(List<Reading> rs, MeterId m, Quantity q, int tariff, int subunit) {
        return rs.stream().filter(r -> r.meter().equals(m) && r.quantity() == q && r.tariff() == tariff && r.subunit() == subunit)
                .map(Reading::value).findFirst().orElseThrow(() -> new AssertionError(m + " " + q + " in " + rs));
    }

    @Test
    void quietLine_theDriverLoopStillBeatsItsHeartbeat() throws Exception {
        FeedLine line = new FeedLine(); // nothing arrives
        Recording rec = new Recording(Clock.systemUTC());
        try (Driver d = driver(new P1FrameDecoder(), line, rec)) {
            d.start();
            long first = rec.beats.get();
            // each empty read ends within its timeout and the loop beats again: the watchdog never sees a stuck listener
            await(() -> rec.beats.get() >= first + 5, "five more heartbeats on a silent line", rec.beats);
        }
        assertEquals(List.of(), rec.readings);
    }

    @Test
    void p1_splitAndJoinedTelegrams_giveReadings_badCrcCounted_channelIsItsOwnMeter() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        byte[] first = telegram("123456.789");
        byte[] second = telegram("123456.790");
        byte[] third = telegram("123456.791");
        byte[] bad = telegram("123456.792");
        bad[40] ^= 1; // a flipped bit inside the data: CRC fails
        line.add(first, 7); // split into 7-byte reads
        byte[] joined = new byte[second.length + bad.length + third.length];
        System.arraycopy(second, 0, joined, 0, second.length);
        System.arraycopy(bad, 0, joined, second.length, bad.length);
        System.arraycopy(third, 0, joined, second.length + bad.length, third.length);
        line.add(joined, joined.length); // three telegrams in one read
        try (Driver d = driver(new P1FrameDecoder(), line, rec)) {
            d.start();
            await(() -> rec.readings.size() >= 12 && rec.bad.contains(Kind.CHECKSUM), "three telegrams and a refused one", rec);
        }
        MeterId elec = MeterId.of("p1:K8EG004046395507:0");
        MeterId gas = MeterId.of("p1:222ABCD123456789:1");
        List<Reading> rs = rec.readings;
        assertEquals(12, rs.size(), rs::toString); // 4 values × 3 good telegrams, none from the bad one
        assertEquals(List.of(Kind.CHECKSUM), rec.bad);
        List<String> imports = rs.stream().filter(r -> r.meter().equals(elec) && r.quantity() == Quantity.ENERGY && r.subunit() == 1)
                .map(r -> r.value().toPlainString()).toList();
        assertEquals(List.of("123456789", "123456790", "123456791"), imports);
        Reading imp = rs.get(0);
        assertEquals(Unit.WH, imp.unit());
        assertEquals(1, imp.tariff());
        assertEquals(Instant.parse("2010-12-09T10:30:20Z"), imp.meterTime());
        assertEquals(0, new BigDecimal("2002").compareTo(value(rs, elec, Quantity.ENERGY, 1, 2)));
        assertEquals(0, new BigDecimal("220.1").compareTo(value(rs, elec, Quantity.VOLTAGE, 0, 32)));
        Reading g = rs.stream().filter(r -> r.meter().equals(gas)).findFirst().orElseThrow();
        assertEquals(Quantity.VOLUME, g.quantity());
        assertEquals(Unit.M3, g.unit());
        assertEquals(0, new BigDecimal("12785.123").compareTo(g.value()));
        assertEquals(Instant.parse("2010-12-09T10:25:00Z"), g.meterTime());
        assertTrue(rec.heard.contains(gas) && rec.heard.contains(elec));
        assertEquals(Set.of(), distinctKeysLost(rs.subList(0, 4))); // one telegram
        // per good telegram: 2 identifiers (0-0:96.1.1, 0-1:96.1.0), 2 texts (version 50, the time 0-0:1.0.0), 1 unknown code
        assertEquals(java.util.Map.of("identifier", 6, "text", 6, "unknown_code", 3), rec.withoutReading);
    }

    /**
     * A hostile P1 line: a telegram that never ends (no '!', 1 MiB of data sets), garbage, then good
     * telegrams split and joined with garbage between them. The endless one is refused as too long
     * (counted, no reading from it), the framer's buffer stays bounded, and the line reads on.
     */
    @Test
    void p1_neverEndingTelegram_isCountedAndBounded_thenTheLineReadsOn() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        byte[] endless = ("/ISK5\\2MT382-1000\r\n\r\n" + "1-0:1.8.1(000001.000*kWh)\r\n".repeat(40_000)).getBytes(StandardCharsets.US_ASCII);
        line.add(endless, 4096);
        line.add(new byte[] {0x55, (byte) 0xAA, '(', ')', '!', 0x1B}, 6);
        byte[] good = telegram("000042.000");
        byte[] twoWithGarbage = new byte[2 * good.length + 3];
        System.arraycopy(good, 0, twoWithGarbage, 0, good.length);
        twoWithGarbage[good.length] = '#';
        twoWithGarbage[good.length + 1] = '(';
        twoWithGarbage[good.length + 2] = 0x7F;
        System.arraycopy(telegram("000043.000"), 0, twoWithGarbage, good.length + 3, good.length);
        line.add(twoWithGarbage, 333); // split into pieces that cut the telegrams anywhere
        try (Driver d = driver(new P1FrameDecoder(), line, rec)) {
            d.start();
            await(() -> rec.readings.size() >= 8, "the two good telegrams after the endless one", rec);
        }
        assertTrue(rec.bad.contains(Kind.LENGTH), rec.bad::toString);
        List<String> imports = rec.readings.stream().filter(r -> r.quantity() == Quantity.ENERGY && r.subunit() == 1 && r.tariff() == 1)
                .map(r -> r.value().toPlainString()).toList();
        assertEquals(List.of("42000", "43000"), imports); // nothing from the endless telegram's 40,000 data sets
        assertEquals(8, rec.readings.size(), rec.readings::toString);

        io.meterlink.drivers.iec62056.ReadoutFramer framer = new io.meterlink.drivers.iec62056.ReadoutFramer();
        int[] lengthErrors = {0};
        FrameCutter.Listener count = new FrameCutter.Listener() {
            @Override public void frame(byte[] bytes, long offset) { fail("no frame in an endless telegram"); }

            @Override public void error(io.meterlink.core.api.driver.DecodeException e, long offset) {
                if (e.kind() == Kind.LENGTH) lengthErrors[0]++;
            }
        };
        for (int i = 0; i < endless.length; i += 1024) framer.feed(endless, i, Math.min(1024, endless.length - i), count);
        java.lang.reflect.Field buf = FrameCutter.class.getDeclaredField("buf");
        buf.setAccessible(true);
        assertTrue(((byte[]) buf.get(framer)).length <= 2 * io.meterlink.drivers.iec62056.ReadoutFramer.MAX_TELEGRAM + 2048,
                "the framer holds at most about one telegram's limit, not the 1 MiB fed");
        assertEquals(1, lengthErrors[0]); // one endless telegram, one error: the rest is skipped as outside any telegram
    }

    /** Import and export of one tariff and the phases never share a measurement key. */
    private static java.util.Set<String> distinctKeysLost(List<Reading> rs) {
        java.util.Map<String, Long> n = new java.util.HashMap<>();
        for (Reading r : rs) n.merge(r.measurementKey(), 1L, Long::sum);
        java.util.Set<String> dup = new java.util.TreeSet<>();
        n.forEach((k, c) -> { if (c > 1) dup.add(k); });
        return dup;
    }

    @Test
    void p1_equipmentIdsLongerThanAMeterIdSlot_keepTheirLast16Characters() {
        // 0-1:96.1.0 is hex for the 17 characters "2222ABCD123456789"; the meter id keeps the last 16
        assertEquals(MeterId.of("p1:222ABCD123456789:1"), new ObisReadings(ZoneOffset.UTC)
                .toReadings(StreamDecoding.frames(StreamDecoding.run(new P1FrameDecoder(), telegram("1"))).get(0), Instant.EPOCH).get(3).meter());
    }

    @Test
    void p1_telegramCutShortBeforeAQuietLine_isCountedAsTruncated_andTheNextOneStillDecodes() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        byte[] t = telegram("000001.000");
        line.add(java.util.Arrays.copyOf(t, t.length / 2), 64);
        try (Driver d = driver(new P1FrameDecoder(), line, rec)) {
            d.start();
            await(() -> rec.bad.contains(Kind.TRUNCATED), "the cut telegram to be dropped", rec);
            line.add(telegram("000001.001"), 64);
            await(() -> rec.readings.size() >= 4, "the next telegram", rec);
        }
        assertEquals(List.of(Kind.TRUNCATED), rec.bad);
        assertTrue(rec.readings.stream().anyMatch(r -> r.value().compareTo(new BigDecimal("1001")) == 0), rec.readings::toString);
    }

    @Test
    void sml_realDumps_giveEveryNumericValueOfEveryCompleteFile_aCorruptFileGivesNone() throws Exception {
        Path folder = TestData.folder("sml");
        Path dump;
        try (Stream<Path> files = Files.list(folder)) {
            dump = files.filter(p -> p.getFileName().toString().startsWith("EMH_eHZ-HW8E2AWL0EK2P") && p.toString().endsWith(".bin")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(dump);
        ObisReadings mapper = new ObisReadings(ZoneOffset.UTC);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<DecodedFrame> frames = StreamDecoding.frames(StreamDecoding.run(new SmlFrameDecoder(), bytes));
        assertFalse(frames.isEmpty());
        int expected = frames.stream().mapToInt(f -> mapper.toReadings(f, now).size()).sum();
        assertTrue(expected > 0);

        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        byte[] corrupt = bytes.clone();
        int start = indexOfStart(corrupt, 8); // the second file's start escape, if any, else the first
        corrupt[start + 40] ^= 0x55;
        line.add(bytes, 61);
        try (Driver d = driver(new SmlFrameDecoder(), line, rec)) {
            d.start();
            await(() -> rec.readings.size() >= expected, "every reading of the dump", rec);
            line.add(corrupt, 61);
            await(() -> rec.bad.contains(Kind.CHECKSUM) || rec.bad.contains(Kind.SYNTAX), "the corrupt file refused", rec);
            await(line::drained, "the line read", rec);
            Thread.sleep(600); // the quiet timeout (300 ms) passes: anything pending is reported
        }
        int fromCorrupt = rec.readings.size() - expected;
        assertEquals(expected - readingsOfFileAt(bytes, start, mapper, now), fromCorrupt, "the corrupt file gives no reading, the others all theirs");
    }

    private static int indexOfStart(byte[] b, int from) {
        for (int i = from; i + 8 <= b.length; i++) {
            if (b[i] == 0x1B && b[i + 1] == 0x1B && b[i + 2] == 0x1B && b[i + 3] == 0x1B && b[i + 4] == 1 && b[i + 5] == 1 && b[i + 6] == 1 && b[i + 7] == 1) return i;
        }
        return 0;
    }

    /** Readings of the one SML file starting at {@code start}. */
    private static int readingsOfFileAt(byte[] b, int start, ObisReadings mapper, Instant now) {
        return StreamDecoding.run(new SmlFrameDecoder(), b).stream()
                .filter(o -> o.frame() != null && o.offset() == start)
                .mapToInt(o -> mapper.toReadings(o.frame(), now).size()).sum();
    }
}
