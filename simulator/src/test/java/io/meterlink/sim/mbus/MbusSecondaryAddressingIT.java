package io.meterlink.sim.mbus;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.sim.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real M-Bus driver over TCP reading virtual slaves by secondary address (SND_UD CI 52 to
 * address 253, then REQ_UD2 at 253): exact ids, a wildcard that fits one meter, manufacturer and
 * medium in the mask, and an address no meter has (reported silent).
 */
class MbusSecondaryAddressingIT {
    @Test
    void driverOverTcp_readsMetersBySecondaryAddress_withWildcards() throws Exception {
        MbusLineScenario scenario = new MbusLineScenario();
        Clock clock = Clock.systemUTC();
        // all at the same primary address 0, as unconfigured meters are: only secondary addressing tells them apart
        VirtualMbusBus bus = new VirtualMbusBus(List.of(
                new VirtualMbusSlave(0, "12345678", "KAM", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 1_000, 600, 1),
                new VirtualMbusSlave(1, "87654321", "ELS", VirtualMbusSlave.Kind.HEAT, clock, ZoneOffset.UTC, 5_000, 900, 2),
                new VirtualMbusSlave(2, "55550001", "SEN", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 7_000, 300, 1)));
        Map<String, Object> m = new HashMap<>();
        m.put("transport", "tcp");
        m.put("host", "127.0.0.1");
        m.put("poll_interval", "1s");
        m.put("timeout_ms", 1000);
        m.put("meters", List.of(
                Map.of("secondary", "12345678", "name", "exact"),
                Map.of("secondary", "8765FFFF", "manufacturer", "ELS", "medium", 4, "name", "wildcard heat"),
                Map.of("secondary", "5555****", "version", 1, "name", "wildcard water"),
                Map.of("secondary", "99999999", "name", "absent")));
        try (TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus)) {
            m.put("tcp_port", server.port());
            Driver driver = scenario.start(m);
            try {
                Await.until(() -> bus.slaves().stream().allMatch(s -> MbusLineScenario.readouts(s) >= 2)
                        && scenario.rec.silent.contains("99999999"));
            } finally {
                driver.close();
            }
        }
        List<Reading> readings = new ArrayList<>(scenario.rec.readings);
        Set<String> meters = readings.stream().map(r -> r.meter().toString()).collect(Collectors.toSet());
        assertEquals(Set.of("mbus:KAM:12345678", "mbus:ELS:87654321", "mbus:SEN:55550001"), meters);
        assertTrue(scenario.rec.silent.stream().allMatch("99999999"::equals), "only the absent meter is silent: " + scenario.rec.silent);
        LedgerCheck.assertReceivedMatchesLedger(readings, bus);
    }

    @Test
    void bus_wildcardFittingTwoMeters_givesCollisionNotAReading() throws Exception {
        Clock clock = Clock.systemUTC();
        VirtualMbusBus bus = new VirtualMbusBus(List.of(
                new VirtualMbusSlave(0, "11110001", "KAM", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 1, 1, 1),
                new VirtualMbusSlave(1, "11110002", "KAM", VirtualMbusSlave.Kind.WATER, clock, ZoneOffset.UTC, 1, 1, 1)));
        byte[] mask = io.meterlink.drivers.mbus.SecondaryAddress.ofId("1111FFFF").toBytes();
        assertArrayEquals(new byte[] {(byte) 0xE5}, bus.handle(new io.meterlink.drivers.mbus.MbusFrame.Long(0x53, 253, 0x52, mask)));
        byte[] answer = bus.handle(new io.meterlink.drivers.mbus.MbusFrame.Short(0x7B, 253));
        assertThrows(io.meterlink.core.api.driver.DecodeException.class, () -> io.meterlink.drivers.mbus.MbusFramer.parse(answer));
        // an exact mask selects one: a clean answer
        bus.handle(new io.meterlink.drivers.mbus.MbusFrame.Long(0x53, 253, 0x52, io.meterlink.drivers.mbus.SecondaryAddress.ofId("11110002").toBytes()));
        io.meterlink.drivers.mbus.MbusFrame selected = io.meterlink.drivers.mbus.MbusFramer.parse(bus.handle(new io.meterlink.drivers.mbus.MbusFrame.Short(0x5B, 253)));
        io.meterlink.drivers.mbus.MbusFrame.Long rsp = assertInstanceOf(io.meterlink.drivers.mbus.MbusFrame.Long.class, selected);
        assertEquals(0x72, rsp.ci(), "a variable data response");
        // the identification number (BCD, little endian) is the one the exact mask named, not its neighbour's
        assertArrayEquals(new byte[] {0x02, 0x00, 0x11, 0x11}, java.util.Arrays.copyOfRange(rsp.data(), 0, 4));
    }
}
