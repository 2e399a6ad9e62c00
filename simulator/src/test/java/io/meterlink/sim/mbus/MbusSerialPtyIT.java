package io.meterlink.sim.mbus;

import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The real M-Bus driver over a socat pseudo-terminal pair, both ends opened through jSerialComm at 2400 8E1. */
class MbusSerialPtyIT {
    @TempDir
    Path dir;

    @Test
    void driverOverPty_readsAnsweringMeters_reportsSilentOne_countsNoise() throws Exception {
        Path socat = Executables.require("socat");
        Path a = dir.resolve("slaves"), b = dir.resolve("gateway");
        Process p = new ProcessBuilder(socat.toString(), "-d", "-d",
                "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(a) && Files.exists(b))) {
                assertTrue(p.isAlive(), "socat exited: " + Files.readString(dir.resolve("socat.log")));
                assertTrue(System.nanoTime() < end, "socat did not create the pty links");
                Thread.sleep(50);
            }
            MbusLineScenario scenario = new MbusLineScenario();
            try (SerialMbusSlaveEndpoint slaves = new SerialMbusSlaveEndpoint(a.toString(), 2400, scenario.bus)) {
                scenario.run(MbusLineScenario.settings(Map.of("transport", "serial", "port", b.toString(), "baud", 2400)));
            }
            scenario.assertOutcome();
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
