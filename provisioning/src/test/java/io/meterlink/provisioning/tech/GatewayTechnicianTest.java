package io.meterlink.provisioning.tech;

import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When {@code meterlink run} starts the endpoint at all (a real gateway: SQLite buffer, uplink to a dead port). */
class GatewayTechnicianTest {
    @TempDir Path dir;

    private GatewayConfig config(String... section) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("gw.yaml");
        Files.writeString(cfg, String.join("\n", "gateway_id: gw-t", "state_dir: " + dir.resolve("state"),
                "uplink: {url: 'tcp://127.0.0.1:" + port + "', allow_insecure: true}", String.join("\n", section)) + "\n");
        return ConfigLoader.load(cfg, new DriverRegistry(List.of()));
    }

    private Optional<Boolean> attachAndReportOpen(GatewayConfig cfg) throws Exception {
        try (Gateway g = Gateway.start(cfg);
             GatewayTechnician t = GatewayTechnician.attach(g, new DriverRegistry(List.of()), Optional.empty(), 0, Clock.systemUTC())) {
            return t.endpoint().map(TechnicianEndpoint::isOpen);
        }
    }

    @Test void withoutTechnicianSecret_noEndpoint() throws Exception {
        assertTrue(attachAndReportOpen(config()).isEmpty());
    }

    @Test void withSecret_endpointRunsClosed_unlessDisabled() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        new IdentityStore(new StateDir(dir.resolve("state")), new SecureRandom()).init("gw-t", false);
        assertFalse(attachAndReportOpen(config()).orElseThrow(), "closed at start");
        assertTrue(attachAndReportOpen(config("technician_endpoint:", "  enabled: false")).isEmpty());
    }
}
