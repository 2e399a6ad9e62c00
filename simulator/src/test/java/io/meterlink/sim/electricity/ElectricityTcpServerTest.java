package io.meterlink.sim.electricity;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.iec62056.Iec62056DriverFactory;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.StreamDriver;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.StreamDecoding;
import io.meterlink.drivers.testing.TestData;
import io.meterlink.drivers.transport.TcpTransport;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** Virtual electricity meters behind a TCP port (ser2net style), read by the real drivers with {@code transport: tcp}. */
class ElectricityTcpServerTest {
    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        await(c, () -> what);
    }

    private static void await(BooleanSupplier c, java.util.function.Supplier<String> what) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L; // a bound for a loaded machine
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > until) fail("timed out waiting for " + what.get());
            Thread.sleep(20);
        }
    }

    private static Set<String> keys(List<Reading> rs) {
        Set<String> out = new HashSet<>();
        for (Reading r : rs) {
            out.add(r.meter() + "|" + r.quantity() + "|" + r.function() + "|" + r.tariff() + "|" + r.subunit() + "="
                    + r.value().toPlainString() + "@" + r.meterTime()); // not the receive time
        }
        return out;
    }

    /** Pushing meters served on a TCP port, read by a stream driver over TCP until {@code done}. */
    private static Recording readOverTcp(ElectricityTcpServer.Lines lines, FrameDecoder decoder,
                                         java.util.function.Predicate<Recording> done, String what) throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        try (ElectricityTcpServer server = new ElectricityTcpServer(0, lines);
             Driver d = new StreamDriver(decoder, FrameDecoder.Options.none(), new ObisReadings(ZoneOffset.UTC), 1000,
                     new TcpTransport("127.0.0.1", server.port(), 2000), rec)) {
            d.start();
            await(() -> done.test(rec), () -> what + "; got " + keys(rec.readings) + ", bad " + rec.bad);
        }
        return rec;
    }

    @Test
    void p1EmucsMeter_overTcp_givesExactlyItsLedgersReadings() throws Exception {
        VirtualP1Meter meter = new VirtualP1Meter("SIM777", "emucs", null, null, 0, 9);
        Recording rec = readOverTcp(line -> ElectricityLineEndpoint.push(line, List.of(meter), Duration.ofMillis(200), true, Clock.systemUTC()),
                new P1FrameDecoder(), r -> r.readings.size() >= 21, "three telegrams");
        Set<String> sent = new HashSet<>();
        meter.ledger().forEach(e -> sent.addAll(keys(e.readings())));
        assertTrue(sent.containsAll(keys(rec.readings)), () -> "not sent: " + rec.readings);
        assertEquals(List.of(), rec.bad);
    }

    @Test
    void smlDumpReplay_overTcp_givesWhatTheDumpDecodesTo() throws Exception {
        Path dump = TestData.folder("sml").resolve("ISKRA_MT631-D2A51-V22-K0z_with_PIN.bin");
        SmlReplayMeter replay = new SmlReplayMeter(dump);
        Set<String> want = new HashSet<>();
        for (var f : StreamDecoding.frames(StreamDecoding.run(new SmlFrameDecoder(), Files.readAllBytes(dump)))) {
            want.addAll(keys(new ObisReadings(ZoneOffset.UTC).toReadings(f, Instant.EPOCH)));
        }
        assertFalse(want.isEmpty());
        Recording rec = readOverTcp(line -> ElectricityLineEndpoint.push(line, List.of(replay), Duration.ofMillis(20), false, Clock.systemUTC()),
                new SmlFrameDecoder(), r -> keys(r.readings).containsAll(want), "every value of the dump " + want);
        assertTrue(want.containsAll(keys(rec.readings)), "only the dump's values");
    }

    @Test
    void iecMetersInModesAandB_overTcp_arePolledAndRead() throws Exception {
        VirtualIecMeter a = new VirtualIecMeter("11", VirtualIecMeter.Mode.A, 0, 1);
        VirtualIecMeter b = new VirtualIecMeter("22", VirtualIecMeter.Mode.B, 0, 2);
        VirtualIecMeter c = new VirtualIecMeter("33", VirtualIecMeter.Mode.C, 0, 3);
        Clock clock = Clock.systemUTC();
        try (ElectricityTcpServer server = new ElectricityTcpServer(0,
                line -> ElectricityLineEndpoint.iec(line, List.of(a, b, c), false, clock))) {
            var spec = new Iec62056DriverFactory().configure(new MapSettings(Map.of("transport", "tcp", "host", "127.0.0.1",
                    "tcp_port", server.port(), "poll_interval", "1s", "time_zone", "UTC",
                    "meters", List.of(Map.of("address", "11"), Map.of("address", "22"), Map.of("address", "33")))));
            assertNotNull(spec);
            Recording rec = new Recording(clock);
            try (Driver d = spec.create(rec)) {
                d.start();
                await(() -> !a.ledger().isEmpty() && !b.ledger().isEmpty() && !c.ledger().isEmpty()
                        && rec.readings.stream().map(Reading::meter).distinct().count() == 3, "a readout of each delivered");
            }
            Set<String> sent = new HashSet<>();
            for (VirtualIecMeter m : List.of(a, b, c)) m.ledger().forEach(e -> sent.addAll(keys(e.readings())));
            assertTrue(sent.containsAll(keys(rec.readings)));
            assertEquals(3, rec.readings.stream().map(Reading::meter).distinct().count(), rec::toString);
        }
    }

    /** The source configured as the loader does it: then {@link MapSettings#finish()} records every key no one read as unknown. */
    private static io.meterlink.core.api.driver.DriverFactory.DriverSpec configuredAsLoaded(MapSettings settings) {
        var spec = new Iec62056DriverFactory().configure(settings);
        settings.finish();
        return spec;
    }

    /**
     * Mode E over TCP (no speed or format switch): two meters answering HDLC/DLMS, both requiring low level security;
     * the password from a 0600 file opens one and the other refuses it (counted as authentication, nothing read from
     * it); the default object list reads the registers the meter has and counts the ones it lacks as unsupported.
     */
    @Test
    void iecModeE_overTcp_lowLevelSecurity_defaultObjects() throws Exception {
        VirtualIecMeter ok = new VirtualIecMeter("44", VirtualIecMeter.Mode.E, 0, 4)
                .withDlms(new DlmsMeterSession.Options(128, 0, 0, List.of(), "secret12"));
        VirtualIecMeter other = new VirtualIecMeter("55", VirtualIecMeter.Mode.E, 0, 5)
                .withDlms(new DlmsMeterSession.Options(128, 0, 0, List.of(), "another1"));
        java.nio.file.Path pw = java.nio.file.Files.createTempFile("iec", ".password",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(pw, "secret12\n");
        Clock clock = Clock.systemUTC();
        try (ElectricityTcpServer server = new ElectricityTcpServer(0, line -> ElectricityLineEndpoint.iec(line, List.of(ok, other), false, clock))) {
            Map<String, Object> keys = Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.port(),
                    "poll_interval", "1s", "time_zone", "UTC", "mode", "e", "client_address", 32, "password_file", pw.toString(),
                    "meters", List.of(Map.of("address", "44"), Map.of("address", "55")));
            MapSettings settings = new MapSettings(keys);
            var spec = configuredAsLoaded(settings);
            assertEquals(List.of(), settings.errors());
            assertNotNull(spec);
            Map<String, Object> misspelt = new java.util.HashMap<>(keys);
            misspelt.put("clent_address", 32); // what the assertion above would let through without finish()
            MapSettings wrong = new MapSettings(misspelt);
            configuredAsLoaded(wrong);
            assertTrue(wrong.errors().stream().anyMatch(e -> e.contains("clent_address") && e.contains("unknown key")), wrong.errors()::toString);
            Recording rec = new Recording(clock);
            try (Driver d = spec.create(rec)) {
                d.start();
                await(() -> ok.ledger().size() >= 2 && rec.readings.size() >= ok.ledger().stream().mapToInt(e -> e.readings().size()).sum()
                        && rec.bad.contains(io.meterlink.core.api.driver.DecodeException.Kind.AUTHENTICATION), () -> "two sessions of meter 44: " + rec);
            }
            Set<String> sent = new HashSet<>();
            ok.ledger().forEach(e -> sent.addAll(keys(e.readings())));
            assertTrue(sent.containsAll(keys(rec.readings)), rec::toString);
            assertEquals(Set.of(ok.meterId()), rec.readings.stream().map(Reading::meter).collect(java.util.stream.Collectors.toSet()));
            assertEquals(Set.of("ENERGY", "POWER", "VOLTAGE"), rec.readings.stream().map(r -> r.quantity().name()).collect(java.util.stream.Collectors.toSet()));
            assertEquals(List.of(), other.ledger(), "no association with the wrong password");
            assertTrue(rec.bad.stream().allMatch(k -> k == io.meterlink.core.api.driver.DecodeException.Kind.AUTHENTICATION
                    || k == io.meterlink.core.api.driver.DecodeException.Kind.UNSUPPORTED), rec.bad::toString);
        } finally {
            java.nio.file.Files.deleteIfExists(pw);
        }
    }
}
