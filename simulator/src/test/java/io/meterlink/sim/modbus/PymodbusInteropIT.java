package io.meterlink.sim.modbus;

import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.meterlink.sim.modbus.ModbusPeers.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Our {@code modbus} driver reading pymodbus (Debian python3-pymodbus, a stack nobody here wrote)
 * as the slave: Modbus TCP, RTU over a socat pty pair (9600 8N1, the driver's end through
 * jSerialComm), and RTU frames over TCP. Two slaves behind each: an SDM630-like one (input registers,
 * float32) and an ABB-B23-like one (holding registers, scaled integers, an all-FF "not available"
 * value). The expected values are the ones the script writes, scaled as the profiles say.
 */
class PymodbusInteropIT {
    @TempDir
    Path dir;

    @Test
    void modbusTcp_readsBothSlaves() throws Exception {
        requirePymodbus();
        Process p = pymodbus(dir, "tcp", "0"); // any free port: read back from what the server listens on
        try {
            int port = awaitListeningPort(p, dir.resolve("pymodbus-tcp.log"));
            readAndCheck(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", port));
        } finally {
            kill(p);
        }
    }

    @Test
    void rtuOverTcp_readsBothSlaves() throws Exception {
        requirePymodbus();
        Process p = pymodbus(dir, "rtutcp", "0"); // any free port: read back from what the server listens on
        try {
            int port = awaitListeningPort(p, dir.resolve("pymodbus-rtutcp.log"));
            readAndCheck(Map.of("transport", "tcp", "framing", "rtu", "host", "127.0.0.1", "tcp_port", port));
        } finally {
            kill(p);
        }
    }

    @Test
    void rtuOnPty_readsBothSlaves() throws Exception {
        requirePymodbus();
        Executables.require("socat");
        try (SocatPty pty = SocatPty.start(dir, "rtu")) {
            Process p = pymodbus(dir, "rtu", pty.meterEnd().toString());
            try {
                awaitOpened(p, pty.meterEnd(), dir.resolve("pymodbus-rtu.log"));
                readAndCheck(Map.of("transport", "serial", "port", pty.gatewayEnd().toString(), "baud", 9600, "parity", "none")); // pyserial refuses even parity on a pty
            } finally {
                kill(p);
            }
        }
    }

    private void readAndCheck(Map<String, Object> line) throws Exception {
        Map<String, Object> s = new HashMap<>(line);
        s.put("name", "pym");
        s.put("poll_interval", "500ms");
        s.put("timeout_ms", 1000);
        s.put("meters", List.of(Map.of("unit", 1, "profile", "eastron-sdm630", "id", "sdm"),
                Map.of("unit", 2, "profile", "abb-b23", "id", "abb")));
        Recording rec = new Recording(clock());
        try (Driver d = driver(s, rec)) {
            await(() -> value(rec, "modbus:ABB:abb", "voltage", "V", 32) != null
                    && value(rec, "modbus:EAS:sdm", "energy", "Wh", 15) != null, 30, rec);
        }
        // SDM630-like slave 1: float32, kWh scaled to Wh
        assertValue("235", value(rec, "modbus:EAS:sdm", "voltage", "V", 32), "SDM voltage L1");
        assertValue("4.5", value(rec, "modbus:EAS:sdm", "current", "A", 31), "SDM current L1");
        assertValue("-1035.5", value(rec, "modbus:EAS:sdm", "power", "W", 16), "SDM total power");
        assertValue("50", value(rec, "modbus:EAS:sdm", "frequency", "Hz", 14), "SDM frequency");
        assertValue("1234500", value(rec, "modbus:EAS:sdm", "energy", "Wh", 1), "SDM import");
        assertValue("17250", value(rec, "modbus:EAS:sdm", "energy", "Wh", 2), "SDM export");
        assertValue("1251750", value(rec, "modbus:EAS:sdm", "energy", "Wh", 15), "SDM total");
        // ABB-B23-like slave 2: holding registers, integers / scale
        assertValue("1234560", value(rec, "modbus:ABB:abb", "energy", "Wh", 1), "ABB import");
        assertNull(value(rec, "modbus:ABB:abb", "energy", "Wh", 2), "ABB export is all FF: not available");
        assertValue("235", value(rec, "modbus:ABB:abb", "voltage", "V", 32), "ABB voltage L1");
        assertValue("-1", value(rec, "modbus:ABB:abb", "power", "W", 16), "ABB power");
        assertValue("49.98", value(rec, "modbus:ABB:abb", "frequency", "Hz", 14), "ABB frequency");
        assertValue("-1", value(rec, "modbus:ABB:abb", "power_factor", "", 13), "ABB power factor");
        assertTrue(rec.transportErrors.isEmpty(), rec.transportErrors.toString());
    }
}
