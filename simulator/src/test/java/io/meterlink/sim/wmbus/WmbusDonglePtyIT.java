package io.meterlink.sim.wmbus;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real wireless M-Bus driver reading virtual dongles over a socat pseudo-terminal pair: the
 * gateway opens its end through jSerialComm exactly as it opens a USB stick.
 */
class WmbusDonglePtyIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"im871a", "amb8465", "hexlines"})
    void driverOverPty_readsEveryMeterExactly_countsBadInput_storesInBuffer(String type) throws Exception {
        Path socat = WmbusRadioScenario.requireExecutable("socat");
        Path a = dir.resolve("dongle"), b = dir.resolve("gateway");
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
            VirtualDongle dongle = VirtualWmbusMeterTest.dongle(type);
            List<byte[]> fromHost;
            try (WmbusRadioScenario scenario = new WmbusRadioScenario(dongle, dir);
                 SerialDongleEndpoint endpoint = new SerialDongleEndpoint(a.toString(), 57600, dongle)) {
                scenario.run(scenario.settings(Map.of("transport", "serial", "port", b.toString())), endpoint);
                scenario.assertOutcome();
                fromHost = endpoint.fromHost();
            }
            String sent = HexFormat.of().withUpperCase().formatHex(concat(fromHost));
            switch (type) { // the driver put the stick into T1 mode on open
                case "im871a" -> assertTrue(sent.startsWith("A58103060003000308"), "SET_CONFIG_REQ link mode T1: " + sent);
                case "amb8465" -> assertTrue(sent.startsWith("FF040108"), "CMD_SET_MODE_REQ T1: " + sent);
                default -> assertEquals("", sent);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        parts.forEach(o::writeBytes);
        return o.toByteArray();
    }
}
