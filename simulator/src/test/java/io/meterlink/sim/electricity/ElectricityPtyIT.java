package io.meterlink.sim.electricity;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.scenario.SocatPty;
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
import java.util.ServiceLoader;
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
        DriverFactory f = ServiceLoader.load(DriverFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.type().equals(type)).findFirst().orElseThrow();
        MapSettings s = new MapSettings(settings);
        DriverFactory.DriverSpec spec = f.configure(s);
        s.finish();
        assertEquals(List.of(), s.errors());
        Driver d = spec.create(rec);
        d.start();
        return d;
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
}
