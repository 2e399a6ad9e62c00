package io.meterlink.sim.mbus;

import org.junit.jupiter.api.Test;

import java.util.Map;

/** The real M-Bus driver over a raw TCP socket (ser2net style) to virtual slaves. */
class MbusTcpIT {
    @Test
    void driverOverTcp_readsAnsweringMeters_reportsSilentOne_countsNoise() throws Exception {
        MbusLineScenario scenario = new MbusLineScenario();
        try (TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, scenario.bus)) {
            scenario.run(MbusLineScenario.settings(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.port())));
        }
        scenario.assertOutcome();
    }
}
