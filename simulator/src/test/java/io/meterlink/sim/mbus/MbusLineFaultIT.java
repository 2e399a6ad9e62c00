package io.meterlink.sim.mbus;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Await;
import io.meterlink.sim.testing.Drivers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input on purpose on a wired M-Bus line, read by the real {@code mbus} driver over TCP. */
class MbusLineFaultIT {
    private static final Clock CLOCK = Clock.systemUTC();

    private static VirtualMbusBus bus() {
        List<VirtualMbusSlave> slaves = new ArrayList<>();
        for (int a = 1; a <= 3; a++) {
            slaves.add(new VirtualMbusSlave(a, "4000000" + a, "KAM", VirtualMbusSlave.Kind.WATER, CLOCK, ZoneOffset.UTC,
                    1_000L * a, 600, 1));
        }
        return new VirtualMbusBus(slaves);
    }

    private static Driver start(Recording rec, int port) {
        return start(rec, port, 2);
    }

    private static Driver startSerial(Recording rec, Path port) {
        return start(rec, new HashMap<>(Map.of("transport", "serial", "port", port.toString(), "baud", 2400,
                "poll_interval", "1s", "timeout_ms", 1000)));
    }

    private static Driver start(Recording rec, int port, int retries) {
        return start(rec, new HashMap<>(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", port,
                "poll_interval", "1s", "timeout_ms", 1000, "retries", retries)));
    }

    private static Driver start(Recording rec, Map<String, Object> m) {
        m.put("meters", List.of(Map.of("address", 1), Map.of("address", 2), Map.of("address", 3)));
        return Drivers.start("mbus", m, rec);
    }

    private static String key(Reading r) {
        return r.meter() + "|" + r.quantity() + "|" + r.unit() + "|" + r.value().stripTrailingZeros().toPlainString() + "|"
                + r.function() + "|" + r.storage() + "|" + r.meterTime() + "|" + r.status();
    }

    private static void assertNothingInvented(Recording rec, VirtualMbusBus bus) {
        Set<String> generated = new HashSet<>();
        for (LedgerEntry e : bus.ledger()) for (Reading r : e.readings()) generated.add(key(r));
        assertEquals(List.of(), rec.readings.stream().map(MbusLineFaultIT::key).filter(k -> !generated.contains(k)).distinct().toList(),
                "readings received that no meter generated");
    }

    private static long readingsReceived(Recording rec, VirtualMbusSlave s) {
        return rec.readings.stream().filter(r -> r.meter().equals(s.meterId())).count();
    }

    @Test
    void highGarbageRate_validMetersStillRead_badInputCounted() throws Exception {
        VirtualMbusBus bus = bus();
        LineNoise noise = new LineNoise(0.7, 0.1, 0.1, 48, 12345).install(bus);
        Recording rec = new Recording(CLOCK);
        try (TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus)) {
            Driver d = start(rec, server.port());
            try {
                Await.until(() -> bus.slaves().stream().allMatch(s -> readingsReceived(rec, s) >= 6));
            } finally {
                d.close();
            }
        }
        LineNoise.Stats st = noise.stats();
        assertTrue(st.garbage() >= 3, "garbage was injected: " + st);
        assertTrue(st.unusable() >= 1, "some answers were unusable: " + st);
        assertFalse(rec.bad.isEmpty(), "the driver counted bad input");
        assertNothingInvented(rec, bus);
    }

    @Test
    void meterAnsweringLate_isReportedSilent_othersStillRead() throws Exception {
        VirtualMbusBus bus = bus();
        LineNoise noise = new LineNoise(0, 0, 0, 1, 1).install(bus);
        noise.answerLate(2, Duration.ofMillis(1_500)); // beyond the master's 1 s timeout
        Recording rec = new Recording(CLOCK);
        VirtualMbusSlave one = bus.slaves().get(0), three = bus.slaves().get(2);
        try (TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus)) {
            Driver d = start(rec, server.port(), 0);
            try {
                Await.until(() -> rec.silent.contains("2") && readingsReceived(rec, one) >= 6 && readingsReceived(rec, three) >= 6,
                        () -> "silent " + rec.silent + ", readings of 1: " + readingsReceived(rec, one) + ", of 3: " + readingsReceived(rec, three)
                                + ", of 2: " + readingsReceived(rec, bus.slaves().get(1)) + ", bad " + rec.bad + ", transport errors " + rec.transportErrors);
            } finally {
                d.close();
            }
        }
        assertTrue(noise.stats().late() >= 1);
        assertNothingInvented(rec, bus);
    }

    @Test
    void metersCommand_andDriver_withTheirDefaults_agreeOnTime() throws Exception {
        MetersCommand cmd = new MetersCommand();
        new CommandLine(cmd).parseArgs("--mbus-tcp", "0", "--count", "1"); // no --utc-offset, and no time_zone below
        Recording rec = new Recording(CLOCK);
        try (MetersCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream(), true))) {
            Driver d = start(rec, new HashMap<>(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", running.tcpPort(),
                    "poll_interval", "1s", "timeout_ms", 1000)));
            try {
                Await.until(() -> rec.readings.stream().anyMatch(r -> r.meterTime() != null));
            } finally {
                d.close();
            }
        }
        Reading r = rec.readings.stream().filter(x -> x.meterTime() != null).findFirst().orElseThrow();
        // M-Bus dates carry minutes: a meter and a gateway that agree differ by well under an hour
        Duration skew = Duration.between(r.receivedAt(), r.meterTime()).abs();
        assertTrue(skew.compareTo(Duration.ofMinutes(5)) < 0, "meter_time " + r.meterTime() + " vs received " + r.receivedAt());
    }

    @Test
    void metersCommand_overTcp_readByTheRealDriver() throws Exception {
        MetersCommand cmd = new MetersCommand();
        new CommandLine(cmd).parseArgs("--mbus-tcp", "0", "--count", "3", "--model", "leak", "--fault-after", "0", "--utc-offset", "+00:00");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Recording rec = new Recording(CLOCK);
        try (MetersCommand.Running running = cmd.start(new PrintStream(log, true))) {
            Driver d = start(rec, running.tcpPort());
            try {
                Await.until(() -> running.bus().slaves().stream().allMatch(s -> readingsReceived(rec, s) >= 6));
            } finally {
                d.close();
            }
            assertNothingInvented(rec, running.bus());
        }
        assertTrue(log.toString().contains("mbus:MLS:70000001"), log.toString());
    }

    @Test
    void metersCommand_overPty_readByTheRealDriver(@TempDir Path dir) throws Exception {
        if (SocatPty.binary() == null) Ci.missing("socat is not installed (on the PATH)");
        Path link = dir.resolve("mbus0");
        MetersCommand cmd = new MetersCommand();
        new CommandLine(cmd).parseArgs("--mbus-pty", link.toString(), "--count", "2", "--model", "water", "--utc-offset", "+00:00");
        Recording rec = new Recording(CLOCK);
        try (MetersCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream(), true))) {
            Driver d = startSerial(rec, link);
            try {
                Await.until(() -> running.bus().slaves().stream().allMatch(s -> readingsReceived(rec, s) >= 6));
            } finally {
                d.close();
            }
            assertNothingInvented(rec, running.bus());
        }
        assertFalse(Files.exists(link), "socat stopped and removed its link");
    }
}
