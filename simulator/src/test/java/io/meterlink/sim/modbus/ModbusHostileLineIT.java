package io.meterlink.sim.modbus;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.modbus.ModbusDriver;
import io.meterlink.drivers.modbus.ModbusFault;
import io.meterlink.drivers.modbus.ProfileCatalog;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.electricity.ElectricityLedgerEntry;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.meterlink.sim.modbus.ModbusPeers.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The driver against hostile slaves on a real RTU line (socat pty, 9600 8E1): every other request is
 * answered with a bad CRC, silence, an exception (slave device failure), garbage, another slave's
 * id or a cut answer, and one configured slave does not exist. Every fault is counted by its typed
 * kind (and in the gateway's bad-input counters), the silent slave is reported silent, the driver
 * keeps reading, and every reading it delivers is one the slaves really answered (no value from a
 * bad frame).
 */
class ModbusHostileLineIT {
    @TempDir
    Path dir;

    @Test
    void everyFaultCountedByKind_lineKeepsRunning_onlyAnsweredValuesDelivered() throws Exception {
        Executables.require("socat");
        ProfileCatalog c = ProfileCatalog.shipped();
        List<VirtualModbusMeter.Fault> all = List.of(VirtualModbusMeter.Fault.values());
        VirtualModbusMeter a = new VirtualModbusMeter(1, c.find("eastron-sdm120"), "a", Clock.systemUTC(), 2, all);
        VirtualModbusMeter b = new VirtualModbusMeter(2, c.find("abb-b21"), "b", Clock.systemUTC(), 2, all);
        try (SocatPty pty = SocatPty.start(dir, "hostile");
             ModbusRtuSlaves slaves = new ModbusRtuSlaves(new SerialTransport(pty.meterEnd().toString(), 9600, SerialTransport.Parity.EVEN), 9600, List.of(a, b))) {
            Recording rec = new Recording(Clock.systemUTC());
            Map<String, Object> s = Map.of("name", "hostile", "transport", "serial", "port", pty.gatewayEnd().toString(),
                    "baud", 9600, "poll_interval", "100ms", "timeout_ms", 150, "retries", 1,
                    "meters", List.of(Map.of("unit", 1, "profile", "eastron-sdm120", "id", "a"),
                            Map.of("unit", 2, "profile", "abb-b21", "id", "b"),
                            Map.of("unit", 9, "profile", "eastron-sdm120", "id", "nobody")));
            ModbusDriver d;
            try (Driver driver = driver(s, rec)) {
                d = (ModbusDriver) driver;
                await(() -> d.faultCounts().entrySet().stream().filter(e -> e.getValue() > 0).count() >= 6
                        && rec.silent.contains("9") && rec.readings.size() > 40, 60, (java.util.function.Supplier<String>) () -> d.faultCounts() + " " + rec);
                int before = rec.readings.size();
                await(() -> rec.readings.size() > before + 10, 20, rec); // still reading after all that
            }
            Map<ModbusFault, Long> counts = d.faultCounts();
            for (ModbusFault f : List.of(ModbusFault.CRC, ModbusFault.TIMEOUT, ModbusFault.SLAVE_FAILURE, ModbusFault.GARBAGE,
                    ModbusFault.WRONG_SLAVE, ModbusFault.SHORT_ANSWER)) {
                assertTrue(counts.get(f) > 0, f + " not counted: " + counts);
            }
            assertTrue(counts.get(ModbusFault.ILLEGAL_FUNCTION) == 0 && counts.get(ModbusFault.ILLEGAL_ADDRESS) == 0, counts.toString());
            Set<DecodeException.Kind> kinds = new HashSet<>(rec.bad);
            assertTrue(kinds.containsAll(Set.of(DecodeException.Kind.CHECKSUM, DecodeException.Kind.TRUNCATED,
                    DecodeException.Kind.SYNTAX, DecodeException.Kind.OTHER)), kinds.toString());
            assertTrue(rec.transportErrors.isEmpty(), rec.transportErrors.toString());
            // every delivered reading is one a slave answered cleanly
            Set<String> answered = new HashSet<>();
            for (VirtualModbusMeter m : List.of(a, b)) {
                for (ElectricityLedgerEntry e : m.ledger()) for (Reading r : e.readings()) answered.add(key(r));
            }
            for (Reading r : rec.readings) assertTrue(answered.contains(key(r)), "not answered by any slave: " + r);
        }
    }

    private static String key(Reading r) {
        return r.meter() + "|" + r.quantity() + "|" + r.unit() + "|" + r.subunit() + "|" + r.value().stripTrailingZeros().toPlainString();
    }
}
