package io.meterlink.sim.wmbus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** The real wireless M-Bus driver reading a virtual iM871A behind a raw TCP socket (a stick on ser2net). */
class WmbusTcpIT {
    @TempDir
    Path dir;

    @Test
    void driverOverTcp_readsEveryMeterExactly_countsBadInput_storesInBuffer() throws Exception {
        Im871aDongle dongle = new Im871aDongle();
        try (WmbusRadioScenario scenario = new WmbusRadioScenario(dongle, dir);
             TcpDongleServer server = new TcpDongleServer(0, dongle)) {
            scenario.run(scenario.settings(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.port())), server);
            scenario.assertOutcome();
        }
    }
}
