package io.meterlink.sim.crash;

import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.bench.GatewayYaml;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 §8: no secret in the gateway's output, with every log level on. A password inside the
 * broker URL (user-info) is refused by {@code config validate} and {@code run} (exit 2) without
 * being printed; a broker password in {@code uplink.password} never appears in the log of a
 * gateway that is refused with a wrong one and then connects with the right one (real Mosquitto,
 * password listener over TLS).
 */
class SecretsNotLoggedIT {
    private static final String PASSWORD = "Pw-7f3Kq9-never-logged";
    private static final String WRONG = "Wrong-Pw-4x8-never-logged";
    private static final List<String> DEBUG = List.of("-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace");

    @TempDir Path dir;

    @Test
    void passwordInBrokerUrl_isRefused_andNeverPrinted() throws Exception {
        Path jar = GatewayProcess.findJar(List.of(CrashFixture.JAR));
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Issued gw = pki.issueClient("gw-url");
        Path config = new GatewayYaml("gw-url", dir, dir.resolve("buffer.db"))
                .uplink("\"ssl://gw-url:" + PASSWORD + "@localhost:8883\"", pki.caFile(), gw.certFile(), gw.keyFile())
                .writeTo(dir.resolve("meterlink.yaml"));
        for (String[] args : List.of(new String[] {"config", "validate", config.toString()},
                new String[] {"run", "--config", config.toString()})) {
            GatewayProcess.CliResult r = GatewayProcess.cli(jar, Duration.ofSeconds(60), args);
            String all = r.stdout() + r.stderr();
            assertEquals(2, r.exitCode(), all);
            assertTrue(all.contains("uplink.url") && all.contains("user-info"), all);
            assertFalse(all.contains(PASSWORD), "the password was printed:\n" + all);
        }
    }

    @Test
    void brokerPassword_neverLogged_whenRefused_norWhenConnected() throws Exception {
        CrashFixture.requireMosquitto();
        Path jar = GatewayProcess.findJar(List.of(CrashFixture.JAR));
        TestPki pki = TestPki.create(dir.resolve("pki"));
        try (MosquittoBroker broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer())
                .passwordUser("gw-pw", PASSWORD).build().start();
             TcpMbusSlaveServer line = new TcpMbusSlaveServer(0, new io.meterlink.sim.mbus.VirtualMbusBus(List.of()))) {
            TestPki.Issued gw = pki.issueClient("gw-pw");
            Path log = dir.resolve("gateway.log");
            for (String pw : List.of(WRONG, PASSWORD)) {
                Path config = new GatewayYaml("gw-pw", dir.resolve("state"), dir.resolve("state/buffer.db"))
                        .uplink(broker.passwordUrl(), pki.caFile(), gw.certFile(), gw.keyFile())
                        .uplinkKey("username", "gw-pw")
                        .uplinkKey("password", "\"" + pw + "\"")
                        .uplinkKey("backoff_min", "100ms")
                        .uplinkKey("backoff_max", "500ms")
                        .mbusTcpSource("line", "127.0.0.1", line.port(), "1s", List.of(1))
                        .writeTo(dir.resolve("meterlink.yaml"));
                String expect = pw.equals(WRONG) ? "failed:" : "uplink connected";
                try (GatewayProcess g = GatewayProcess.start(jar, config, DEBUG, log)) {
                    assertTrue(CrashFixture.await(Duration.ofSeconds(60), () -> logContains(log, expect) || !g.isAlive()),
                            expect + "\n" + g.logTail(30));
                    assertEquals(0, g.stop(Duration.ofSeconds(60)));
                }
            }
            String text = Files.readString(log);
            assertTrue(text.contains("uplink connected") && text.length() > 1000, "the log has content:\n" + text.length());
            assertFalse(text.contains(PASSWORD), "the broker password is in the log");
            assertFalse(text.contains(WRONG), "the wrong password is in the log");
        }
    }

    private static boolean logContains(Path log, String s) {
        try {
            return Files.readString(log).toLowerCase(java.util.Locale.ROOT).contains(s);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
