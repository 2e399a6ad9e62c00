package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Await;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

class WmbusDriverTest {
    private static final String KEY_HEX = HexFormat.of().formatHex(TestFrames.KEY);
    /** The listed meter of {@link TestFrames#mode5}, with its key. */
    private static final WmbusDriverConfig.Meter LISTED = new WmbusDriverConfig.Meter("12345678", "KAM", io.meterlink.core.api.config.Secret.of(KEY_HEX));

    private static WmbusDriverConfig config(boolean acceptUnknown, List<WmbusDriverConfig.Meter> meters) {
        return new WmbusDriverConfig("feed", "hexlines", WmbusMode.T1, false, java.time.ZoneOffset.UTC, acceptUnknown, meters, DriverSet.builtin());
    }

    @Test
    void driver_storesReadings_countsReplayAndMissingKey_andReopensAfterAFailure() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        try (Driver d = new WmbusDriver(config(true, List.of(LISTED)), line, rec)) {
            d.start();
            line.line(TestFrames.mode5(1, TestFrames.KEY));
            line.line(TestFrames.mode5(1, TestFrames.KEY)); // heard twice: a replay
            Await.until(() -> rec.readings.size() == 2 && rec.bad.contains(Kind.REPLAY), "readings and a replay", rec);
            line.failOnce = true;
            line.line(TestFrames.mode5(2, TestFrames.KEY)); // the meter has a key: its telegrams are encrypted (issue 14)
            Await.until(() -> rec.readings.size() == 4, "readings after the reopen", rec);
            assertTrue(line.opens >= 2);
            assertFalse(rec.transportErrors.isEmpty());
            assertEquals(MeterId.of("wmbus:KAM:12345678"), rec.heard.get(0));
        }
        assertEquals(4, rec.readings.size(), "the replay was not stored");
    }

    /** A read that fails unchecked (a stick pulled out under jSerialComm) is a line failure: reported, the line reopened, the telegrams after it read. */
    @Test
    void driver_aReadFailingUnchecked_isALineFailure_theLineReopens_andListeningGoesOn() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        line.failUncheckedOnce = new IllegalStateException("the port vanished"); // the first read
        try (Driver d = new WmbusDriver(config(false, List.of(LISTED)), line, rec)) {
            d.start();
            line.line(TestFrames.mode5(1, TestFrames.KEY));
            Await.until(() -> rec.readings.size() == 2, "readings after the reopen", rec);
        }
        assertEquals(2, line.opens, "opened, failed, reopened");
        assertEquals(1, rec.transportErrors.size(), rec::toString);
        assertTrue(rec.transportErrors.get(0).contains("the port vanished"), rec::toString);
        assertEquals(List.of(), rec.bad);
    }

    @Test
    void driver_unknownEncryptedMeter_isCountedAsNoKey_unknownPlainMeterIsStored() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        try (Driver d = new WmbusDriver(config(true, List.of()), line, rec)) {
            d.start();
            line.line(TestFrames.mode5(1, TestFrames.KEY));
            line.line(TestFrames.plain(2));
            Await.until(() -> rec.readings.size() == 2 && rec.bad.contains(Kind.NO_KEY), "plain readings and NO_KEY", rec);
        }
    }

    @Test
    void driver_withAcceptUnknownOff_ignoresMetersNotListed() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        var other = new WmbusDriverConfig.Meter("87654321", null, null);
        try (Driver d = new WmbusDriver(config(false, List.of(other)), line, rec)) {
            d.start();
            line.line(TestFrames.plain(2));
            line.add("zz\n".getBytes(StandardCharsets.US_ASCII), 3); // a bad line as a marker that the first was handled
            Await.until(() -> rec.bad.contains(Kind.SYNTAX), "the marker", rec);
            assertTrue(rec.readings.isEmpty());
        }
    }

    @Test
    void factory_isRegistered_andValidatesSettingsWithoutEchoingTheKey() {
        DriverFactory f = ServiceLoader.load(DriverFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.type().equals("wmbus")).findFirst().orElseThrow();
        MapSettings good = new MapSettings(Map.of("transport", "tcp", "host", "localhost", "tcp_port", "4001", "dongle", "amb8465",
                "mode", "c1", "meters", List.of(Map.of("id", "12345678", "manufacturer", "KAM", "key", KEY_HEX))));
        assertNotNull(f.configure(good), good.errors().toString());
        assertTrue(good.errors().isEmpty(), good.errors().toString());
        String badKey = "00112233445566778899AABBCCDDEEFG";
        MapSettings bad = new MapSettings(Map.of("port", "/dev/ttyUSB0", "dongle", "im871a",
                "meters", List.of(Map.of("id", "1234", "key", KEY_HEX), Map.of("id", "12345678", "key", badKey))));
        assertNull(f.configure(bad));
        assertEquals(2, bad.errors().size(), bad.errors().toString());
        assertTrue(bad.errors().stream().noneMatch(e -> e.contains(badKey) || e.contains(KEY_HEX)), "keys must never be echoed");
    }

    @Test
    void driver_twoBytesAfterTheLastRecord_storesTheReadings_andCountsTheRest() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        byte[] plain = TestFrames.plain(7);
        byte[] broken = new byte[plain.length + 2]; // + 7A C4: two bytes that are no record (a CRC left in)
        System.arraycopy(plain, 0, broken, 0, plain.length);
        broken[plain.length] = 0x7A;
        broken[plain.length + 1] = (byte) 0xC4;
        broken[0] = (byte) (broken.length - 1);
        WmbusDriver d = new WmbusDriver(config(true, List.of()), new FeedLine(), rec, new io.meterlink.drivers.mbus.FormatCache());
        d.handle(new RadioFrame(LinkLayer.withCrcA(broken), null), "line1"); // format A: its CRCs vouch for the bytes
        assertEquals(2, rec.readings.size(), "volume and flow temperature before the two bytes");
        assertEquals(List.of(Kind.TRUNCATED), rec.bad);
    }

    @Test
    void driver_aflFragments_heldWithoutReadings_thenTheWholeMessage_brokenOneCounted() throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        WmbusDriver d = new WmbusDriver(config(true, List.of()), new FeedLine(), rec, new io.meterlink.drivers.mbus.FormatCache());
        // a plain message (TPL short header + the test records) in two fragments: the first with MCL (no MAC) and ML
        byte[] plain = TestFrames.plain(9);
        byte[] message = java.util.Arrays.copyOfRange(plain, 10, plain.length);
        int half = message.length / 2;
        byte[] first = TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 90 05 01 70 20"
                + String.format("%02X00", message.length) + HexFormat.of().formatHex(message, 0, half)));
        byte[] second = TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 90 02 02 00"
                + HexFormat.of().formatHex(message, half, message.length)));
        d.handle(new RadioFrame(first, -70, true), "line1");
        assertEquals(List.of(), rec.readings, "a fragment alone gives no reading");
        d.handle(new RadioFrame(second, -70, true), "line1");
        assertEquals(2, rec.readings.size(), "volume and flow temperature of the whole message");
        assertEquals(List.of(), rec.bad);
        d.handle(new RadioFrame(first, -70, true), "line1");
        byte[] other = first.clone();
        other[other.length - 1] ^= 1;
        assertThrows(io.meterlink.core.api.driver.DecodeException.class, () -> d.handle(new RadioFrame(other, -70, true), "line1"));
        assertEquals(2, rec.readings.size());
    }
}
