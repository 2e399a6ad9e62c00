package io.meterlink.sim.electricity;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.StreamDriver;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.StreamDecoding;
import io.meterlink.drivers.testing.TestData;
import io.meterlink.drivers.transport.TcpTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** {@code meterlink-sim electricity}: the meters it starts are read over its TCP port by the real stream drivers. */
class ElectricityCommandTest {
    @TempDir
    Path dir;

    private static ElectricityCommand command(String... args) {
        ElectricityCommand c = new ElectricityCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    /** What a reader needs to match readings with a ledger or a dump: everything but the receive time. */
    private static String key(Reading r) {
        return r.meter() + "|" + r.quantity() + "|" + r.function() + "|" + r.tariff() + "|" + r.subunit() + "=" + r.value().toPlainString() + "@" + r.meterTime();
    }

    /** Reads the command's port with a stream driver until {@code done} holds (or a generous bound for a loaded machine). */
    private static Recording read(ElectricityCommand.Running running, FrameDecoder decoder, Predicate<Recording> done) throws Exception {
        Recording rec = new Recording(Clock.systemUTC());
        try (Driver d = new StreamDriver(decoder, FrameDecoder.Options.none(), new ObisReadings(ZoneOffset.UTC), 1000,
                new TcpTransport("127.0.0.1", running.tcpPort(), 2000), rec)) {
            d.start();
            long until = System.nanoTime() + 30_000_000_000L;
            while (!done.test(rec) && System.nanoTime() < until) Thread.sleep(20);
        }
        assertTrue(done.test(rec), () -> "not read in time: " + rec.readings + ", bad " + rec.bad);
        return rec;
    }

    @Test
    void p1Meters_splitTelegrams_areReadAsTheirLedgersSay() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ElectricityCommand.Running running = command("--family", "p1", "--p1-version", "emucs", "--count", "2", "--split",
                "--interval", "100").start(new PrintStream(log, true))) {
            assertTrue(log.toString().contains("127.0.0.1:" + running.tcpPort()), log::toString);
            Recording rec = read(running, new P1FrameDecoder(),
                    r -> r.readings.stream().map(Reading::meter).map(Object::toString).distinct().count() >= 4); // two meters, each with its gas channel
            Set<String> sent = new TreeSet<>();
            running.meters().forEach(m -> m.ledger().forEach(e -> e.readings().forEach(x -> sent.add(key(x)))));
            for (Reading r : rec.readings) assertTrue(sent.contains(key(r)), () -> "not in a ledger: " + key(r));
            assertEquals(java.util.List.of(), rec.bad);
        }
    }

    @Test
    void smlReplay_givesExactlyTheValuesOfTheDump() throws Exception {
        Path dump = TestData.folder("sml").resolve("EMH-ED300L_consumption.bin");
        Set<String> want = new TreeSet<>();
        for (var f : StreamDecoding.frames(StreamDecoding.run(new SmlFrameDecoder(), Files.readAllBytes(dump)))) {
            new ObisReadings(ZoneOffset.UTC).toReadings(f, Instant.EPOCH).forEach(r -> want.add(key(r)));
        }
        assertFalse(want.isEmpty());
        try (ElectricityCommand.Running running = command("--family", "sml-replay", "--recording", dump.toString(), "--interval", "20")
                .start(new PrintStream(new ByteArrayOutputStream(), true))) {
            Recording rec = read(running, new SmlFrameDecoder(), r -> {
                Set<String> got = new TreeSet<>();
                r.readings.forEach(x -> got.add(key(x)));
                return got.containsAll(want);
            });
            for (Reading r : rec.readings) assertTrue(want.contains(key(r)), () -> "not in the dump: " + key(r));
        }
    }

    @Test
    void badOptions_areRefusedByName() throws Exception {
        Files.writeString(dir.resolve("short.key"), "0011");
        for (String[] args : new String[][] {
                {"--family", "gas"},
                {"--family", "sml-replay"},
                {"--family", "p1", "--p1-version", "6"},
                {"--family", "p1", "--key-file", dir.resolve("short.key").toString(), "--auth-key-file", dir.resolve("short.key").toString()},
                {"--family", "iec62056-21", "--iec-mode", "F"},
                {"--family", "sml", "--count", "33"}}) {
            ElectricityCommand c = command(args);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.start(new PrintStream(new ByteArrayOutputStream(), true)),
                    () -> String.join(" ", args));
            assertTrue(e.getMessage().startsWith("--"), e::getMessage);
        }
    }
}
