package io.meterlink.sim.wmbus;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.wmbus.Amb8465Framer;
import io.meterlink.drivers.wmbus.DongleFramer;
import io.meterlink.drivers.wmbus.HexLineFramer;
import io.meterlink.drivers.wmbus.Im871aFramer;
import io.meterlink.drivers.wmbus.KeyLookup;
import io.meterlink.drivers.wmbus.RadioFrame;
import io.meterlink.drivers.wmbus.WmbusDecoder;
import io.meterlink.drivers.wmbus.WmbusMode;
import io.meterlink.drivers.wmbus.WmbusReadingMapper;
import io.meterlink.sim.wmbus.WmbusFrameBuilder.Security;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * In-process round trip: virtual meters → virtual dongle bytes → the driver's own framer and
 * decoder. The integration tests do the same over pseudo-terminals and TCP.
 */
class VirtualWmbusMeterTest {
    static final byte[] KEY_A = HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F");
    static final byte[] KEY_B = HexFormat.of().parseHex("F0E0D0C0B0A090807060504030201000");

    /** A clock advanced by hand. */
    static final class StepClock extends Clock {
        private volatile Instant now;

        StepClock(Instant start) { this.now = start; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    static DongleFramer framer(String type) {
        return switch (type) {
            case "im871a" -> new Im871aFramer(WmbusMode.T1);
            case "iu891a" -> new io.meterlink.drivers.wmbus.Iu891aFramer();
            case "amb8465" -> new Amb8465Framer(WmbusMode.T1, true);
            case "cul" -> new io.meterlink.drivers.wmbus.CulFramer(WmbusMode.T1);
            default -> new HexLineFramer();
        };
    }

    static VirtualDongle dongle(String type) {
        return switch (type) {
            case "im871a" -> new Im871aDongle();
            case "iu891a" -> new Iu891aDongle();
            case "amb8465" -> new Amb8465Dongle();
            case "cul" -> new CulDongle();
            default -> new HexLineDongle();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"im871a", "iu891a", "amb8465", "cul", "hexlines"})
    void telegrams_throughDongleFramerAndDecoder_giveExactlyTheLedger(String type) throws Exception {
        StepClock clock = new StepClock(Instant.parse("2026-11-26T08:00:00Z"));
        List<VirtualWmbusMeter> meters = List.of(
                new VirtualWmbusMeter("11111111", "KAM", VirtualWmbusMeter.Kind.WATER, Security.NONE, null, clock, ZoneOffset.UTC, 123_456, 1800, -61),
                new VirtualWmbusMeter("22222222", "ELS", VirtualWmbusMeter.Kind.HEAT, Security.MODE5, KEY_A, clock, ZoneOffset.UTC, 9_876_543, 2400, -83),
                new VirtualWmbusMeter("33333333", "DME", VirtualWmbusMeter.Kind.WATER, Security.MODE7, KEY_B, clock, ZoneOffset.UTC, 5_000, 600, -97),
                new VirtualWmbusMeter("55555555", "KAM", VirtualWmbusMeter.Kind.WATER, Security.MODE10, KEY_A, clock, ZoneOffset.UTC, 77_000, 900, -66));
        KeyLookup keys = (man, id) -> Optional.ofNullable(Map.of("22222222", KEY_A, "33333333", KEY_B, "55555555", KEY_A).get(id));
        VirtualDongle dongle = dongle(type);
        DongleFramer framer = framer(type);
        WmbusReadingMapper mapper = new WmbusReadingMapper(ZoneOffset.UTC);
        List<Reading> got = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (VirtualWmbusMeter m : meters) {
                byte[] bytes = dongle.received(m.nextTelegram(dongle.reportedRssi(m.rssiDbm())), m.rssiDbm());
                framer.feed(bytes, bytes.length);
                RadioFrame f = framer.next();
                assertNotNull(f, type + " framer cuts the message");
                got.addAll(mapper.toReadings(WmbusDecoder.decode(f.frame(), keys), clock.instant(), f.rssiDbm()));
            }
            clock.advance(Duration.ofMinutes(7));
        }
        assertEquals(WmbusLedger.generated(meters), WmbusLedger.keys(got));
        assertEquals(!"hexlines".equals(type), got.stream().allMatch(r -> r.rssiDbm() != null), "RSSI present for dongles");
        BigDecimal first = volume(meters.get(0).ledger().get(0)), last = volume(meters.get(0).ledger().get(4));
        assertTrue(last.compareTo(first) > 0, "the register rises: " + first + " → " + last);
    }

    @ParameterizedTest
    @ValueSource(strings = {"im871a", "iu891a", "amb8465", "cul", "hexlines"})
    void faults_giveTypedErrors_neverReadings(String type) throws Exception {
        Clock clock = Clock.systemUTC();
        VirtualWmbusMeter m5 = new VirtualWmbusMeter("22222222", "ELS", VirtualWmbusMeter.Kind.HEAT, Security.MODE5, KEY_A, clock, ZoneOffset.UTC, 1, 1, -70);
        VirtualWmbusMeter m7 = new VirtualWmbusMeter("33333333", "DME", VirtualWmbusMeter.Kind.WATER, Security.MODE7, KEY_B, clock, ZoneOffset.UTC, 1, 1, -70);
        KeyLookup keys = (man, id) -> Optional.ofNullable(Map.of("22222222", KEY_A, "33333333", KEY_B).get(id));
        VirtualDongle dongle = dongle(type);
        assertEquals(DecodeException.Kind.CHECKSUM, outcome(type, dongle.corrupted(m5.unrecordedTelegram(), -70), keys));
        assertEquals(DecodeException.Kind.TRUNCATED, outcome(type, dongle.truncated(m5.unrecordedTelegram(), -70), keys));
        assertEquals(DecodeException.Kind.WRONG_KEY, outcome(type, dongle.received(m5.telegramWithKey(KEY_B), -70), keys));
        assertEquals(DecodeException.Kind.AUTHENTICATION, outcome(type, dongle.received(m7.telegramWithKey(KEY_A), -70), keys));
        VirtualWmbusMeter m10 = new VirtualWmbusMeter("55555555", "KAM", VirtualWmbusMeter.Kind.WATER, Security.MODE10, KEY_A, clock, ZoneOffset.UTC, 1, 1, -70);
        KeyLookup withM10 = (man, id) -> Optional.ofNullable(Map.of("22222222", KEY_A, "33333333", KEY_B, "55555555", KEY_A).get(id));
        assertEquals(DecodeException.Kind.AUTHENTICATION, outcome(type, dongle.received(m10.telegramWithKey(KEY_B), -70), withM10));
        DecodeException.Kind noise = outcome(type, dongle.garbage(new Random(1)), keys);
        assertEquals("hexlines".equals(type) ? DecodeException.Kind.SYNTAX : null, noise, "dongles skip noise, hex lines refuse it");
        assertEquals(List.of(), m5.ledger());
    }

    /**
     * The one error kind the driver's framer and decoder give for the bytes, {@code null} when they
     * gave nothing; fails when any reading comes out or more than one error is reported.
     */
    private static DecodeException.Kind outcome(String type, byte[] bytes, KeyLookup keys) {
        DongleFramer framer = framer(type);
        framer.feed(bytes, bytes.length);
        List<DecodeException.Kind> kinds = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            try {
                RadioFrame f = framer.next();
                if (f == null) break;
                WmbusDecoder.decode(f.frame(), keys);
                return fail("decoded a bad frame");
            } catch (DecodeException e) {
                kinds.add(e.kind());
            }
        }
        assertTrue(kinds.size() <= 1, "one error, then nothing: " + kinds);
        return kinds.isEmpty() ? null : kinds.get(0);
    }

    private static BigDecimal volume(WmbusLedgerEntry e) {
        return e.readings().stream().filter(r -> r.quantity() == io.meterlink.core.api.Quantity.VOLUME && r.storage() == 0)
                .findFirst().orElseThrow().value();
    }
}
