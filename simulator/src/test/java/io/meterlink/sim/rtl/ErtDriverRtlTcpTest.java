package io.meterlink.sim.rtl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.ert.ErtDriverFactory;
import io.meterlink.drivers.ert.ErtProtocol;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code ert} driver against the simulator's rtl_tcp server over TCP: every consumption the
 * manifest lists becomes a reading of {@code ert:<type>:<id>} (times the multiplier), IDM intervals
 * become readings of their own, every damaged packet is counted as a checksum refusal (never a
 * reading), and a stalled stream is reported and recovered from.
 */
class ErtDriverRtlTcpTest {
    @TempDir Path dir;

    @Test
    void everySentConsumption_isAReading_andAStallIsRecovered() throws Exception {
        Path manifest = dir.resolve("manifest.json");
        List<ErtProtocol> ps = List.of(ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.R900);
        Recording rec = new Recording(Clock.systemUTC());
        Driver driver;
        try (RtlTcpServer server = new RtlTcpServer(new RtlTcpServer.Config(InetAddress.getLoopbackAddress(), 0, 5, ps, 7, 0.5,
                20, 10_000, 2_359_296, manifest, true, 0, false, 4))) {
            MapSettings settings = new MapSettings(Map.of("host", "127.0.0.1", "tcp_port", server.port(), "stall_timeout", "1s",
                    "multipliers", Map.of("electric", "1000", "water", "0.001", "gas", "0.01")));
            DriverFactory.DriverSpec spec = new ErtDriverFactory().configure(settings);
            assertEquals(List.of(), settings.errors());
            driver = spec.create(rec);
            driver.start();
            waitForPackets(server, 2);
            server.stall(2500);
            long until = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < until && rec.transportErrors.stream().noneMatch(e -> e.startsWith("stalled: "))) Thread.sleep(100);
            assertTrue(rec.transportErrors.stream().anyMatch(e -> e.startsWith("stalled: ")), rec.transportErrors::toString);
            long before = server.packetsSent();
            waitForPackets(server, 4);
            assertTrue(server.packetsSent() > before, "the stream resumed after the stall");
            server.silence(); // then every packet sent has reached the driver before the connection ends
            int seen = -1;
            for (int i = 0; i < 40 && rec.readings.size() != seen; i++) { // until the driver has handled what was written
                seen = rec.readings.size();
                Thread.sleep(1000);
            }
        }
        driver.close();
        long damaged = new ObjectMapper().readTree(manifest.toFile()).get("bad_packets_sent").asLong();
        assertTrue(damaged >= 3, "damaged packets sent: " + damaged);
        long checksum = rec.bad.stream().filter(k -> k == io.meterlink.core.api.driver.DecodeException.Kind.CHECKSUM).count();
        assertTrue(checksum >= damaged - 1 && checksum <= damaged + 1, () -> "checksum refusals " + rec.bad + " for " + damaged + " damaged packets");
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        Set<String> readings = new HashSet<>();
        for (Reading r : rec.readings) if (r.storage() == 0 && r.quantity() != Quantity.ERROR_FLAGS) readings.add(r.meter() + "=" + r.value().stripTrailingZeros().toPlainString());
        int checked = 0;
        for (JsonNode meter : m.get("meters")) {
            ErtProtocol p = ErtProtocol.byName(meter.get("protocol").asText());
            int type = meter.get("type").asInt();
            String id = "ert:" + (p.isR900() ? "r900" : Integer.toString(type & 0x0F)) + ":" + meter.get("id").asLong();
            BigDecimal k = switch (p.isR900() ? 11 : type & 0x0F) {
                case 4, 5, 7, 8 -> new BigDecimal("1000");
                case 0, 1, 2, 9, 12 -> new BigDecimal("0.01");
                case 3, 11, 13 -> new BigDecimal("0.001");
                default -> BigDecimal.ONE;
            };
            assertTrue(meter.get("consumptions").size() >= 4, meter::toString);
            for (JsonNode c : meter.get("consumptions")) {
                String key = id + "=" + k.multiply(BigDecimal.valueOf(c.asLong())).stripTrailingZeros().toPlainString();
                assertTrue(readings.contains(key), () -> key + " missing; readings " + readings);
                checked++;
            }
        }
        assertTrue(checked >= 20);
        assertTrue(rec.readings.stream().anyMatch(r -> r.storage() == 47 && r.meterTime() != null), "IDM intervals are readings");
    }

    /** Waits (at most a minute, for a loaded machine) until every meter sent at least {@code n} packets. */
    private static void waitForPackets(RtlTcpServer server, int n) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until && server.meters().stream().anyMatch(m -> m.sent().size() < n)) Thread.sleep(100);
    }
}
