package io.meterlink.drivers.p1;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.StreamDriver;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class P1DriverFactoryTest {
    private static final String EK = "000102030405060708090A0B0C0D0E0F";
    private static final String AK = "00112233445566778899AABBCCDDEEFF";

    private static Path keyFile(Path dir, String perms, String... lines) throws Exception {
        Path f = dir.resolve("p1.keys");
        Files.write(f, List.of(lines));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void keyFileReadableByOthers_isRefused_withoutShowingTheKey(@TempDir Path dir) throws Exception {
        MapSettings s = new MapSettings(Map.of("port", "/dev/ttyUSB0", "key_file", keyFile(dir, "rw-r--r--", EK, AK).toString()));
        assertNull(new P1DriverFactory().configure(s));
        assertTrue(s.errors().stream().anyMatch(e -> e.contains("chmod 600")), s.errors()::toString);
        assertFalse(s.errors().toString().contains(EK));
    }

    @Test
    void keyFileOwnerOnly_configuresTheDriver(@TempDir Path dir) throws Exception {
        MapSettings s = new MapSettings(Map.of("port", "/dev/ttyUSB0", "key_file", keyFile(dir, "rw-------", "# P1 keys", EK, AK).toString()));
        assertNotNull(new P1DriverFactory().configure(s), s.errors()::toString);
        assertEquals(List.of(), s.errors());
    }

    @Test
    void badKeys_andAuthKeyWithoutKey_areErrorsThatNeverEchoTheValue() {
        MapSettings s = new MapSettings(Map.of("port", "/dev/ttyUSB0", "key", "00112233XYZ", "auth_key", "deadbeef"));
        assertNull(new P1DriverFactory().configure(s));
        assertEquals(2, s.errors().size(), s.errors()::toString);
        assertFalse(s.errors().toString().contains("XYZ") || s.errors().toString().contains("deadbeef"));
        MapSettings t = new MapSettings(Map.of("port", "/dev/ttyUSB0", "auth_key", AK));
        assertNull(new P1DriverFactory().configure(t));
        assertTrue(t.errors().stream().anyMatch(e -> e.contains("needs key")), t.errors()::toString);
    }

    @Test
    void missingPort_andUnknownFraming_areErrors() {
        MapSettings s = new MapSettings(Map.of("framing", "8E2"));
        assertNull(new P1DriverFactory().configure(s));
        assertTrue(s.errors().stream().anyMatch(e -> e.startsWith("port")), s.errors()::toString);
        assertTrue(s.errors().stream().anyMatch(e -> e.startsWith("framing")), s.errors()::toString);
    }

    @Test
    void encryptedP1_replayAfterAQuietLine_isStillDetected() throws Exception {
        byte[] telegram = P1FrameDecoderTest.withCrc(P1FrameDecoderTest.DSMR5);
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        FrameDecoder.Options keys = new FrameDecoder.Options(Secret.of(EK), Secret.of(AK), null);
        try (Driver d = new StreamDriver(new P1FrameDecoder(), keys, new ObisReadings(ZoneOffset.UTC), 200, line, rec)) {
            d.start();
            line.add(P1FrameDecoderTest.encrypt(telegram, 7, EK, AK), 100);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (rec.heard.isEmpty()) {
                if (System.nanoTime() > deadline) fail("timed out: " + rec);
                Thread.sleep(10);
            }
            Thread.sleep(600); // longer than the quiet time (200 ms): a meter sending every 10 s
            line.add(P1FrameDecoderTest.encrypt(telegram, 7, EK, AK), 100); // the same frame counter again
            while (rec.bad.isEmpty()) {
                if (System.nanoTime() > deadline) fail("timed out: " + rec);
                Thread.sleep(10);
            }
        }
        assertEquals(List.of(Kind.REPLAY), rec.bad);
    }

    @Test
    void encryptedP1_withTheKeys_givesReadings_replayAndWrongKeyCounted() throws Exception {
        byte[] telegram = P1FrameDecoderTest.withCrc(P1FrameDecoderTest.DSMR5);
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        line.add(P1FrameDecoderTest.encrypt(telegram, 7, EK, AK), 100);
        line.add(P1FrameDecoderTest.encrypt(telegram, 7, EK, AK), 100); // same frame counter: a replay
        line.add(P1FrameDecoderTest.encrypt(telegram, 8, AK, AK), 100); // encrypted with another key
        line.add(P1FrameDecoderTest.encrypt(telegram, 9, EK, AK), 33);
        FrameDecoder.Options keys = new FrameDecoder.Options(Secret.of(EK), Secret.of(AK), null);
        try (Driver d = new StreamDriver(new P1FrameDecoder(), keys, new ObisReadings(ZoneOffset.UTC), 300, line, rec)) {
            d.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (rec.bad.size() < 2 || !line.drained() || rec.heard.size() < 4) {
                if (System.nanoTime() > deadline) fail("timed out: " + rec);
                Thread.sleep(10);
            }
        }
        assertEquals(List.of(Kind.REPLAY, Kind.WRONG_KEY), rec.bad);
        long imports = rec.readings.stream().filter(r -> r.meter().equals(MeterId.of("p1:K8EG004046395507:0"))
                && r.quantity() == io.meterlink.core.api.Quantity.ENERGY && r.tariff() == 1 && r.subunit() == 1).count();
        assertEquals(2, imports, "counters 7 and 9 decrypted: " + rec.readings);
    }
}
