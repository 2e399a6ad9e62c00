package io.meterlink.sim.mbus;

import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** The real M-Bus driver over a socat pseudo-terminal pair, both ends opened through jSerialComm at 2400 8E1. */
class MbusSerialPtyIT {
    @TempDir
    Path dir;

    @Test
    void driverOverPty_readsAnsweringMeters_reportsSilentOne_countsNoise() throws Exception {
        Executables.require("socat"); // missing: fails under CI, else skips
        try (SocatPty pty = SocatPty.start(dir, "mbus")) {
            Path a = pty.meterEnd(), b = pty.gatewayEnd();
            MbusLineScenario scenario = new MbusLineScenario();
            try (SerialMbusSlaveEndpoint slaves = new SerialMbusSlaveEndpoint(a.toString(), 2400, scenario.bus)) {
                scenario.run(MbusLineScenario.settings(Map.of("transport", "serial", "port", b.toString(), "baud", 2400)));
            }
            scenario.assertOutcome();
        }
    }
}
