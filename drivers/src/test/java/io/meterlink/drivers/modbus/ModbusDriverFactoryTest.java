package io.meterlink.drivers.modbus;

import io.meterlink.drivers.testing.MapSettings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModbusDriverFactoryTest {
    private static MapSettings settings(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(Map.of("name", "sub", "port", "/dev/ttyUSB0"));
        m.putAll(extra);
        return new MapSettings(m);
    }

    @Test
    void validLine_configures_withDefaultIds() {
        MapSettings s = settings(Map.of("meters", List.of(Map.of("unit", 1, "profile", "eastron-sdm630"), Map.of("unit", 2, "profile", "abb-b23"))));
        assertNotNull(new ModbusDriverFactory().configure(s), s.errors().toString());
        assertTrue(s.errors().isEmpty(), s.errors().toString());
    }

    @Test
    void badLine_reportsEveryProblemAtItsKey() {
        MapSettings s = settings(Map.of("framing", "tcp", "parity", "mark", "meters", List.of(
                Map.of("unit", 1, "profile", "eastron-sdm630"),
                Map.of("unit", 1, "profile", "abb-b23"),
                Map.of("unit", 300, "profile", "abb-b23"),
                Map.of("unit", 3, "profile", "no-such-meter"),
                Map.of("unit", 4, "profile", "abb-b23", "id", "has space"))));
        assertNull(new ModbusDriverFactory().configure(s));
        String all = String.join("\n", s.errors());
        for (String want : List.of("framing", "parity", "meters[1].unit", "meters[2].unit", "meters[3].profile", "meters[4].id")) {
            assertTrue(all.contains(want), want + " not reported in:\n" + all);
        }
    }

    @Test
    void unitZero_isRefusedOnAnRtuLine_butIsAModbusTcpUnit() {
        MapSettings rtu = settings(Map.of("meters", List.of(Map.of("unit", 0, "profile", "abb-b23"))));
        assertNull(new ModbusDriverFactory().configure(rtu));
        assertTrue(rtu.errors().stream().anyMatch(e -> e.startsWith("meters[0].unit") && e.contains("between 1 and 247")), rtu.errors().toString());

        MapSettings tcp = new MapSettings(new HashMap<>(Map.of("name", "sub", "transport", "tcp", "host", "127.0.0.1", "tcp_port", 1502,
                "meters", List.of(Map.of("unit", 0, "profile", "abb-b23")))));
        assertNotNull(new ModbusDriverFactory().configure(tcp), tcp.errors().toString());
        assertTrue(tcp.errors().isEmpty(), tcp.errors().toString());
    }

    @Test
    void noMeters_isAnError() {
        MapSettings s = settings(Map.of());
        assertNull(new ModbusDriverFactory().configure(s));
        assertTrue(s.errors().stream().anyMatch(e -> e.startsWith("meters")), s.errors().toString());
    }
}
