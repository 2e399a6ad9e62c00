package io.meterlink.sim.electricity;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Drivers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real p1 and iec62056-21 drivers reading virtual meters over socat pseudo-terminal pairs, both
 * ends opened through jSerialComm: every reading a virtual meter generated arrives exactly once with
 * its value, every damaged telegram or readout is counted by kind and gives no reading.
 */
class ElectricityPtyIT {
    private static final String EK = "0102030405060708090A0B0C0D0E0F10";
    private static final String AK = "1112131415161718191A1B1C1D1E1F20";

    @TempDir
    Path dir;

    private static void requireSocat() {
        if (SocatPty.binary() != null) return;
        String msg = "socat is not installed (apt-get install socat)";
        if (Ci.active()) fail(msg);
        Assumptions.abort(msg);
    }

    private static Driver start(String type, Map<String, Object> settings, Recording rec) {
        return Drivers.start(type, settings, rec);
    }

    /** meter|quantity|tariff|subunit|value → how often (times differ between generation and receipt for meters without a clock). */
    private static Map<String, Integer> keys(List<Reading> rs) {
        Map<String, Integer> m = new TreeMap<>();
        for (Reading r : rs) m.merge(r.meter() + "|" + r.quantity().wireName() + "|" + r.tariff() + "|" + r.subunit() + "|" + r.value().toPlainString()
                + "|" + r.meterTime(), 1, Integer::sum);
        return m;
    }

    private static List<Reading> generated(List<ElectricityLedgerEntry> ledger) {
        List<Reading> out = new ArrayList<>();
        ledger.forEach(e -> out.addAll(e.readings()));
        return out;
    }

    private static void await(String what, BooleanSupplier c, Object state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out waiting for " + what + ": " + state);
            Thread.sleep(20);
        }
    }

    @Test
    void p1_encryptedSplitTelegramsOverAPty_everyGeneratedReadingArrives_damagedOnesCounted() throws Exception {
        requireSocat();
        VirtualP1Meter meter = new VirtualP1Meter("SIM0000000000001", "5", HexFormat.of().parseHex(EK), HexFormat.of().parseHex(AK), 3, 42);
        VirtualP1Meter old = new VirtualP1Meter("SIM22", "2.2", null, null, 0, 7);
        Recording rec = new Recording(Clock.systemUTC());
        Recording recOld = new Recording(Clock.systemUTC());
        try (SocatPty pty = SocatPty.start(dir, "p1"); SocatPty pty22 = SocatPty.start(dir, "p1v22")) {
            Driver d = start("p1", Map.of("port", pty.gatewayEnd().toString(), "key", EK, "auth_key", AK), rec);
            Driver d22 = start("p1", Map.of("port", pty22.gatewayEnd().toString(), "baud", 9600), recOld);
            try (d; d22;
                 ElectricityLineEndpoint e = ElectricityLineEndpoint.push(new SerialTransport(pty.meterEnd().toString(), 115200, SerialTransport.Parity.NONE),
                         List.of(meter), Duration.ofMillis(200), true, Clock.systemUTC());
                 ElectricityLineEndpoint e22 = ElectricityLineEndpoint.push(new SerialTransport(pty22.meterEnd().toString(), 9600, 7, SerialTransport.Parity.EVEN),
                         List.of(old), Duration.ofMillis(300), false, Clock.systemUTC())) {
                await("six telegrams of each meter", () -> meter.ledger().size() >= 6 && old.ledger().size() >= 4, rec);
                e.close();
                e22.close();
                await("every generated reading", () -> rec.readings.size() >= generated(meter.ledger()).size()
                        && recOld.readings.size() >= generated(old.ledger()).size()
                        && rec.bad.size() >= meter.ledger().stream().filter(ElectricityLedgerEntry::damaged).count(), rec);
            }
        }
        assertEquals(keys(generated(meter.ledger())), keys(rec.readings));
        assertEquals(keys(generated(old.ledger())), keys(recOld.readings));
        long damaged = meter.ledger().stream().filter(ElectricityLedgerEntry::damaged).count();
        assertTrue(damaged >= 2);
        assertEquals(java.util.Collections.nCopies((int) damaged, Kind.CHECKSUM), rec.bad);
        assertTrue(rec.heard.contains(meter.gasMeterId()));
        assertEquals(List.of(), recOld.bad);
    }

    @Test
    void sml_generatedFilesWithNoiseOverAPty_everyReadingArrives_corruptFilesCountedAsChecksum() throws Exception {
        requireSocat();
        VirtualSmlMeter meter = new VirtualSmlMeter(12345678, 3, true, 5);
        Recording rec = new Recording(Clock.systemUTC());
        try (SocatPty pty = SocatPty.start(dir, "sml")) {
            try (Driver d = start("sml", Map.of("port", pty.gatewayEnd().toString()), rec);
                 ElectricityLineEndpoint e = ElectricityLineEndpoint.push(new SerialTransport(pty.meterEnd().toString(), 9600, SerialTransport.Parity.NONE),
                         List.of(meter), Duration.ofMillis(150), true, Clock.systemUTC())) {
                await("seven files", () -> meter.ledger().size() >= 7, rec);
                e.close();
                await("every generated reading", () -> rec.readings.size() >= generated(meter.ledger()).size()
                        && rec.bad.contains(Kind.CHECKSUM), rec);
            }
        }
        assertEquals(keys(generated(meter.ledger())), keys(rec.readings));
        long damaged = meter.ledger().stream().filter(ElectricityLedgerEntry::damaged).count();
        assertEquals(damaged, rec.bad.stream().filter(k -> k == Kind.CHECKSUM).count(), rec.bad::toString);
        assertTrue(rec.bad.stream().allMatch(k -> k == Kind.CHECKSUM || k == Kind.TRUNCATED), "noise between files is skipped as such: " + rec.bad);
        assertEquals(List.of(meter.meterId()), rec.heard.stream().distinct().toList());
    }

    @Test
    void iec62056ModeC_twoMetersOnOnePty_signOnBaudSwitchAndReadout_badBccCountedAndRetried() throws Exception {
        requireSocat();
        VirtualIecMeter a = new VirtualIecMeter("12345678", 0, 1);
        VirtualIecMeter b = new VirtualIecMeter("87654321", 2, 2);
        Recording rec = new Recording(Clock.systemUTC());
        try (SocatPty pty = SocatPty.start(dir, "iec")) {
            Map<String, Object> settings = new HashMap<>(Map.of("port", pty.gatewayEnd().toString(), "poll_interval", "1s",
                    "retries", 1, "meters", List.of(Map.of("address", a.address()), Map.of("address", b.address()))));
            try (ElectricityLineEndpoint e = ElectricityLineEndpoint.iec(new SerialTransport(pty.meterEnd().toString(), 300, 7, SerialTransport.Parity.EVEN),
                    List.of(a, b), true, Clock.systemUTC());
                 Driver d = start("iec62056-21", settings, rec)) {
                await("three readouts of each meter, all delivered", () -> a.ledger().size() >= 3 && b.ledger().size() >= 4
                        && rec.readings.size() == generated(a.ledger()).size() + generated(b.ledger()).size()
                        && rec.bad.size() == b.ledger().stream().filter(ElectricityLedgerEntry::damaged).count(), rec);
            }
        }
        List<Reading> all = new ArrayList<>(generated(a.ledger()));
        all.addAll(generated(b.ledger()));
        assertEquals(keys(all), keys(rec.readings));
        long damaged = b.ledger().stream().filter(ElectricityLedgerEntry::damaged).count();
        assertTrue(damaged >= 2);
        assertEquals(java.util.Collections.nCopies((int) damaged, Kind.CHECKSUM), rec.bad);
        assertEquals(List.of(), rec.silent);
    }

    /**
     * Mode E as IEC 62056-21 Annex E has it: sign-on at 300 baud 7E1, {@code ACK 2 Z 2}, then HDLC at 9600 8N1 with the
     * virtual meter's DLMS server: information fields of 32 bytes (segmented AARE and responses), values longer than 4
     * bytes by block transfer, one undefined object, and every second session spoilt in turn by a wrong FCS, a frame cut
     * short, an oversize length field, a wrong source address and a block transfer without end. Every reading of every
     * whole session arrives once; each spoilt session is counted by its kind and gives none; the line goes on.
     */
    @Test
    void iec62056ModeE_hdlcDlmsSessionsOverAPty_segmentsAndBlocks_hostileFramesCountedByKind() throws Exception {
        requireSocat();
        List<DlmsMeterSession.Damage> damages = List.of(DlmsMeterSession.Damage.values());
        VirtualIecMeter meter = new VirtualIecMeter("12345678", VirtualIecMeter.Mode.E, 0, 3)
                .withDlms(new DlmsMeterSession.Options(32, 4, 2, damages, null));
        Recording rec = new Recording(Clock.systemUTC());
        try (SocatPty pty = SocatPty.start(dir, "iece")) {
            Map<String, Object> settings = new HashMap<>(Map.of("port", pty.gatewayEnd().toString(), "poll_interval", "1s", "mode", "e",
                    "retries", 1, "response_timeout", "500ms", "meters", List.of(Map.of("address", meter.address())),
                    "objects", List.of("8/0-0:1.0.0", "0-0:96.1.0", "1-0:1.8.0", "1-0:2.8.0", "1-0:1.7.0", "1-0:32.7.0", "1-0:14.7.0", "1-0:99.99.0")));
            try (ElectricityLineEndpoint e = ElectricityLineEndpoint.iec(new SerialTransport(pty.meterEnd().toString(), 300, 7, SerialTransport.Parity.EVEN),
                    List.of(meter), true, Clock.systemUTC());
                 Driver d = start("iec62056-21", settings, rec)) {
                await("every damage kind once and a whole session after the last", () -> meter.ledger().size() >= 2 * damages.size() + 1
                        && rec.readings.size() == generated(meter.ledger()).size()
                        && rec.bad.size() == expectedBad(meter.ledger(), damages).size(), rec);
            }
        }
        assertEquals(keys(generated(meter.ledger())), keys(rec.readings));
        assertEquals(expectedBad(meter.ledger(), damages), rec.bad);
        assertTrue(rec.readings.stream().anyMatch(r -> r.quantity() == io.meterlink.core.api.Quantity.FREQUENCY
                && r.value().compareTo(new java.math.BigDecimal("49.98")) == 0), "float32 frequency read exactly");
        assertTrue(rec.readings.stream().allMatch(r -> r.meterTime() != null), "the clock's time on every register");
        assertEquals(List.of(), rec.silent);
    }

    /** Per session in order: the kind of its damage (every second one, the kinds in turn), else the undefined object's refusal. */
    private static List<Kind> expectedBad(List<ElectricityLedgerEntry> ledger, List<DlmsMeterSession.Damage> damages) {
        List<Kind> out = new ArrayList<>();
        for (int i = 1; i <= ledger.size(); i++) {
            if (!ledger.get(i - 1).damaged()) {
                out.add(Kind.UNSUPPORTED);
                continue;
            }
            out.add(switch (damages.get((i / 2 - 1) % damages.size())) {
                case FCS -> Kind.CHECKSUM;
                case TRUNCATED -> Kind.TRUNCATED;
                case OVERSIZE, ENDLESS_BLOCKS -> Kind.LENGTH;
                case ADDRESS -> Kind.SYNTAX;
            });
        }
        return out;
    }
}
