package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code technician_endpoint:} section through the real loader (found through META-INF/services). */
class TechnicianSectionTest {
    @TempDir Path dir;

    private Path write(String... lines) throws Exception {
        Path p = dir.resolve("meterlink.yaml");
        Files.writeString(p, String.join("\n", "gateway_id: gw-1", "uplink: {url: 'tcp://127.0.0.1:1883', allow_insecure: true}",
                String.join("\n", lines)) + "\n");
        return p;
    }

    private static GatewayConfig load(Path p) throws ConfigException {
        return ConfigLoader.load(p, new DriverRegistry(List.of()));
    }

    @Test void absentSection_enabledWithDefaults_noButton() throws Exception {
        TechnicianSettings s = TechnicianSection.of(load(write()));
        assertTrue(s.enabled());
        assertEquals(TechEndpointConfig.DEFAULT_PORT, s.endpoint().port());
        assertEquals(TechEndpointConfig.MAX_OPEN_WINDOW, s.endpoint().openWindow());
        assertEquals(OptionalInt.empty(), s.buttonPin());
    }

    @Test void section_bindsEveryKey() throws Exception {
        TechnicianSettings s = TechnicianSection.of(load(write("technician_endpoint:", "  enabled: false", "  port: 15684",
                "  open_window: 5m", "  button_pin: 17", "  button_active_low: false", "  bind: 127.0.0.1", "  max_connections: 2")));
        assertFalse(s.enabled());
        assertEquals(15684, s.endpoint().port());
        assertEquals(Duration.ofMinutes(5), s.endpoint().openWindow());
        assertEquals(OptionalInt.of(17), s.buttonPin());
        assertFalse(s.buttonActiveLow());
        assertEquals("127.0.0.1", s.endpoint().bindAddress().getHostAddress());
        assertEquals(2, s.endpoint().maxConnections());
    }

    @Test void unknownKey_windowOverFifteenMinutes_andBadPin_areErrorsWithLineAndKey() throws Exception {
        Path p = write("technician_endpoint:", "  open_window: 20m", "  button_pin: 99", "  prot: 5684");
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> load(p)).errors();
        assertTrue(errors.stream().anyMatch(e -> e.line() == 4 && e.key().equals("technician_endpoint.open_window")), errors::toString);
        assertTrue(errors.stream().anyMatch(e -> e.line() == 5 && e.key().equals("technician_endpoint.button_pin")), errors::toString);
        assertTrue(errors.stream().anyMatch(e -> e.line() == 6 && e.key().equals("technician_endpoint.prot")
                && e.message().contains("unknown")), errors::toString);
    }
}
