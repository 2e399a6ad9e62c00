package io.meterlink.sim.mbus;

import io.meterlink.core.api.driver.Driver;
import io.meterlink.sim.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

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

    @Test
    void driverOverTcp_connectionDropped_reportsTransportErrorReconnectsAndGoesOn() throws Exception {
        MbusLineScenario scenario = new MbusLineScenario();
        VirtualMbusSlave water = scenario.bus.slaves().get(0);
        try (TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, scenario.bus)) {
            Driver driver = scenario.start(MbusLineScenario.settings(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.port())));
            try {
                Await.until(() -> MbusLineScenario.readouts(water) >= 1);
                server.dropClient();
                Await.until(() -> !scenario.rec.transportErrors.isEmpty());
                long before = MbusLineScenario.readouts(water);
                int receivedBefore = scenario.rec.readings.size();
                Await.until(() -> MbusLineScenario.readouts(water) >= before + 2);
                Await.until(() -> scenario.rec.readings.size() > receivedBefore);
            } finally {
                driver.close();
            }
        }
        LedgerCheck.assertNothingInvented(new ArrayList<>(scenario.rec.readings), scenario.bus);
    }
}
