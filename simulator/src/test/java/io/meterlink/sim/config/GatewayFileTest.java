package io.meterlink.sim.config;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.config.keys.BufferKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.config.UplinkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's one configuration writer: every helper's file binds with the real loader to the values written. */
class GatewayFileTest {
    @TempDir Path dir;

    @Test
    void everySourceKind_bindsWithTheRealLoader() throws Exception {
        Path dev = dir.resolve("pty \"0\"");
        Path file = new GatewayFile("gw-f", dir.resolve("state"))
                .bufferPath(dir.resolve("state/b.db"))
                .buffer(BufferKeys.MAX_BYTES, 3L << 20)
                .uplink(UplinkKeys.URL, "ssl://localhost:8883")
                .uplinkLines(GatewayFile.tlsLines(dir.resolve("ca.crt"), dir.resolve("gw.crt"), dir.resolve("gw.key")))
                .uplink(UplinkKeys.BACKOFF_MIN, Duration.ofMillis(150))
                .uplink(UplinkKeys.BATCH_MAX_READINGS, 777)
                .mbusTcp("m-tcp", "127.0.0.1", 4001, Duration.ofSeconds(2), Duration.ofSeconds(3), 900, List.of(1, 2))
                .mbusSerial("m-ser", dev, 9600, Duration.ofSeconds(5), 1000, List.of(7))
                .wmbusTcp("radio", 4002, "im871a", List.<String[]>of(new String[] {"12345678", "000102030405060708090A0B0C0D0E0F"},
                        new String[] {"00000042", null}))
                .ertTcp("ert", 1234, Duration.ofMinutes(1), Duration.ofSeconds(3))
                .push("p1", "p1", dev, 115200, Duration.ofSeconds(10), "000102030405060708090A0B0C0D0E0F",
                        "101112131415161718191A1B1C1D1E1F")
                .push("sml", "sml", dev, 9600, Duration.ofSeconds(4), null, null)
                .iec62056("iec", dev, Duration.ofMinutes(1), List.of("12345678", "A-1"))
                .pulseMock("s0", Duration.ofSeconds(5), Duration.ofMillis(15), List.of(7070, 7071))
                .coapObserve("coap", Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ZERO,
                        List.of(Map.entry("flat-1", 5683), Map.entry("flat-2", 5684)))
                .modbus("mb-rtu", dev, 0, Duration.ofSeconds(2), 1000, 2, List.<String[]>of(new String[] {"1", "eastron-sdm630", "a.1"}))
                .modbus("mb-tcp", null, 1502, Duration.ofSeconds(2), 1000, 2, List.<String[]>of(new String[] {"0", "abb-b23", "b.0"}))
                .writeTo(dir.resolve("meterlink.yaml"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "it may hold secrets");
        GatewayConfig c = ConfigLoader.load(file);
        assertEquals("gw-f", c.gatewayId());
        assertEquals(3L << 20, c.buffer().maxBytes());
        UplinkConfig u = c.uplink();
        assertEquals("ssl://localhost:8883", u.url());
        assertEquals(Duration.ofMillis(150), u.backoffMin());
        assertEquals(777, u.batchMaxReadings());
        assertEquals(dir.resolve("gw.key").toAbsolutePath(), u.keyFile().orElseThrow());
        assertEquals(List.of("m-tcp", "m-ser", "radio", "ert", "p1", "sml", "iec", "s0", "coap", "mb-rtu", "mb-tcp"), c.sources().stream().map(s -> s.name()).toList());
        assertEquals(Duration.ofSeconds(3), c.sources().get(0).expectedInterval());
    }

    @Test
    void undeclaredKeys_areRefusedByTheWriter() {
        GatewayFile f = new GatewayFile("gw-f", dir);
        assertThrows(IllegalArgumentException.class, () -> f.key(UplinkKeys.GROUP, "batch_max_reading", "5"));
        f.key(UplinkKeys.GROUP, "batch_max_readings", "5");
        assertTrue(f.text().contains("  batch_max_readings: 5\n"), f.text());
    }

    @Test
    void aValueOutOfTheDeclaredBounds_isRefusedByTheLoader_atItsLine() throws Exception {
        Path file = new GatewayFile("gw-f", dir).uplink(UplinkKeys.URL, "ssl://localhost:8883")
                .uplinkLines(GatewayFile.tlsLines(dir.resolve("ca.crt"), dir.resolve("gw.crt"), dir.resolve("gw.key")))
                .key(UplinkKeys.GROUP, "inflight_window", "65").writeTo(dir.resolve("bad.yaml"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ":10: uplink.inflight_window: must be between 1 and 64 (got '65')"),
                e.errors().stream().map(Object::toString).toList(), Files.readString(file));
    }
}
