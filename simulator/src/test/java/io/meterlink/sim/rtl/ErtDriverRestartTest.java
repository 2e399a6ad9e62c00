package io.meterlink.sim.rtl;

import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.ert.ErtDriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A wedged rtl_tcp (the simulator run as the driver's child process, stuck after 1.5 s of stream,
 * silent or at constant amplitude) is detected, reported, and cleared by restarting the child; the
 * restarted child's stream gives readings again.
 */
class ErtDriverRestartTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wedgedChild_isRestarted_andReadingsResume(boolean constant) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.meterlink.sim.SimMain", "rtltcp", "--port", Integer.toString(port),
                "--meters", "2", "--protocols", "scm,r900", "--interval", "0.3", "--wedge-after", "1.5"));
        if (constant) command.add("--wedge-constant");
        Recording rec = new Recording(Clock.systemUTC());
        MapSettings settings = new MapSettings(Map.of("host", "127.0.0.1", "tcp_port", port, "stall_timeout", "1s",
                "restart_after", 1, "dedup_window", "0s", "rtl_tcp_command", command)); // the restarted child sends the same packets again
        DriverFactory.DriverSpec spec = new ErtDriverFactory().configure(settings);
        assertEquals(List.of(), settings.errors());
        Driver driver = spec.create(rec);
        int atRestart = -1;
        boolean resumed = false;
        try {
            driver.start();
            long until = System.currentTimeMillis() + 40_000;
            while (System.currentTimeMillis() < until && !resumed) {
                Thread.sleep(50);
                if (atRestart < 0 && rec.transportErrors.contains("rtl_tcp restarted")) atRestart = rec.readings.size();
                resumed = atRestart >= 0 && rec.readings.size() > atRestart;
            }
        } finally {
            driver.close();
        }
        String why = constant ? "stalled: constant samples" : "stalled: no samples";
        assertTrue(rec.transportErrors.stream().anyMatch(e -> e.startsWith(why)), rec.transportErrors::toString);
        assertTrue(atRestart > 0, () -> "readings before the wedge, then a restart: " + rec.transportErrors);
        assertTrue(resumed, () -> "readings after the restart; errors " + rec.transportErrors);
    }
}
