package io.meterlink.sim.bench;

import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GatewayYamlTest {
    @TempDir
    Path dir;

    @Test
    void writtenConfig_loadsWithTheRealLoader_withEveryKeyBound() throws Exception {
        for (String f : List.of("ca.crt", "gw.crt", "gw.key")) Files.writeString(dir.resolve(f), "x");
        Path config = new GatewayYaml("gw-7", dir.resolve("state"), dir.resolve("state/buf.db"))
                .uplink("ssl://localhost:8883", dir.resolve("ca.crt"), dir.resolve("gw.crt"), dir.resolve("gw.key"))
                .uplinkKey("batch_max_readings", "2000")
                .uplinkKey("inflight_window", "16")
                .bufferKey("max_bytes", "4GiB")
                .mbusTcpSource("line-0", "127.0.0.1", 4001, "1s", List.of(1, 2, 3))
                .writeTo(dir.resolve("meterlink.yaml"));
        GatewayConfig cfg = ConfigLoader.load(config);
        assertEquals("gw-7", cfg.gatewayId());
        assertEquals(dir.resolve("state/buf.db").toAbsolutePath(), cfg.buffer().path().toAbsolutePath());
        assertEquals(4L << 30, cfg.buffer().maxBytes());
        assertEquals(2000, cfg.uplink().batchMaxReadings());
        assertEquals(16, cfg.uplink().inflightWindow());
        assertEquals(1, cfg.sources().size());
        assertEquals("mbus", cfg.sources().get(0).driver());
    }
}
