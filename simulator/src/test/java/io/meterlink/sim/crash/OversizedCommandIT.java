package io.meterlink.sim.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.bench.GatewayYaml;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.pki.ClientTls;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 §5: one 80 MB publish on the command topic, from the head-end's certificate through a real
 * Mosquitto, to a gateway running as a child JVM at {@code -Xmx64m}. The gateway stays up, keeps
 * delivering readings, and the command channel keeps answering. Per protocol version:
 * <ul>
 *   <li>MQTT 5: the gateway announced a Maximum Packet Size at CONNECT, so Mosquitto drops the
 *       message for it (logged by the broker); no reply comes for it.</li>
 *   <li>MQTT 3.1.1: the broker sends it; the gateway's socket guard discards the payload unread and
 *       the gateway replies {@code too_large}.</li>
 * </ul>
 */
class OversizedCommandIT {
    private static final String PREFIX = "meterlink/v1";
    private static final int BIG = 80 * 1024 * 1024;
    private static final Duration LONG = Duration.ofSeconds(120);
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mqtt5", "mqtt311"})
    void eightyMegabyteCommand_atXmx64m_gatewayStaysUp_keepsDelivering_andAnswers(String protocol) throws Exception {
        String gw = "gw-big-" + protocol;
        try (CrashFixture f = new CrashFixture(dir)) {
            Path state = dir.resolve("state");
            GatewayProcess.CliResult init = GatewayProcess.cli(f.jar, Duration.ofSeconds(60),
                    "provision", "init", "--gateway-id", gw, "--state-dir", state.toString());
            assertEquals(0, init.exitCode(), init.stderr()); // an identity: MQTT commands are on
            TcpMbusSlaveServer line = f.line(4, 40_000_000);
            GatewayYaml yaml = f.config(gw, state.resolve("buffer.db"))
                    .uplinkKey("protocol", protocol)
                    .mbusTcpSource("line", "127.0.0.1", line.port(), "1s", CrashFixture.addresses(4));
            Path config = yaml.writeTo(dir.resolve("meterlink.yaml"));

            BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
            MqttAsyncClient he = headEnd(f, replies);
            try (GatewayProcess g = GatewayProcess.start(f.jar, config, List.of("-Xmx64m"), dir.resolve("gateway.log"))) {
                assertTrue(CrashFixture.await(LONG, () -> f.headEnd.delivered() >= 20 || !g.isAlive()),
                        "readings delivered before the attack\n" + g.logTail(30));
                // the gateway subscribes after its connect: a command it answers proves it listens
                assertNotNull(command(he, gw, "ping/before", new byte[] {'{', '}'}, replies, "before"), "answered before\n" + g.logTail(30));

                byte[] big = new byte[BIG];
                java.util.Arrays.fill(big, (byte) 'A');
                he.publish(PREFIX + "/" + gw + "/cmd/apply-bundle/big", big, 1, false).waitForCompletion(120_000);
                big = null; // NOPMD: let the test JVM drop it
                long deliveredAtAttack = f.headEnd.delivered();

                JsonNode after = command(he, gw, "ping/after", new byte[] {'{', '}'}, replies, "after");
                assertNotNull(after, "answered after the 80 MB command\n" + g.logTail(40));
                assertEquals("unknown_command", after.path("error").asText(), after.toString());
                List<JsonNode> earlier = List.copyOf(replies);
                replies.clear();
                JsonNode tooLarge = earlier.stream().filter(r -> "big".equals(r.path("request").asText())).findFirst().orElse(null);
                String brokerLog = Files.readString(f.broker.logFile());
                if ("mqtt311".equals(protocol)) {
                    assertNotNull(tooLarge, "too_large reply under MQTT 3.1.1; replies " + earlier + "\n" + g.logTail(40));
                    assertEquals("too_large", tooLarge.path("error").asText(), tooLarge.toString());
                    assertEquals("apply-bundle", tooLarge.path("cmd").asText());
                } else {
                    assertEquals(null, tooLarge, "no reply: the broker dropped it");
                    assertTrue(brokerLog.contains("too large"), "Mosquitto logged the drop\n" + f.broker.logTail(30));
                }
                assertTrue(CrashFixture.await(LONG, () -> f.headEnd.delivered() >= deliveredAtAttack + 20 || !g.isAlive()),
                        "readings keep arriving after the attack\n" + g.logTail(40));
                assertTrue(g.isAlive(), "the gateway is still running\n" + g.logTail(40));
                String log = Files.readString(dir.resolve("gateway.log"));
                assertFalse(log.contains("OutOfMemoryError"), "no OutOfMemoryError in the gateway log\n" + g.logTail(40));
                System.out.printf("%s: 80 MB command %s; delivered %d before, %d after; gateway alive%n", protocol,
                        tooLarge == null ? "dropped by the broker" : "answered too_large", deliveredAtAttack, f.headEnd.delivered());
                assertEquals(0, g.stop(Duration.ofSeconds(60)), "clean exit after SIGTERM");
            } finally {
                he.disconnect().waitForCompletion(5000);
                he.close();
            }
        }
    }

    /** Publishes a command and waits for the reply with request id {@code request}; null when none came. */
    private JsonNode command(MqttAsyncClient he, String gw, String name, byte[] body, BlockingQueue<JsonNode> replies,
                             String request) throws Exception {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (System.nanoTime() < deadline) {
            he.publish(PREFIX + "/" + gw + "/cmd/" + name, body, 1, false).waitForCompletion(30_000);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                JsonNode r = replies.poll(200, TimeUnit.MILLISECONDS);
                if (r == null) continue;
                if (request.equals(r.path("request").asText())) return r;
                replies.add(r); // someone else's: keep it for the caller
                Thread.sleep(50);
            }
        }
        return null;
    }

    private MqttAsyncClient headEnd(CrashFixture f, BlockingQueue<JsonNode> replies) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(f.broker.url(), "headend-cmd-" + System.nanoTime(), new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override public void connectionLost(Throwable cause) { }
            @Override public void messageArrived(String topic, MqttMessage m) throws Exception {
                replies.add(json.readTree(new String(m.getPayload(), StandardCharsets.UTF_8)));
            }
            @Override public void deliveryComplete(IMqttDeliveryToken token) { }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setSocketFactory(ClientTls.mutual(f.pki, f.pki.issueClient("headend")));
        o.setHttpsHostnameVerificationEnabled(true);
        o.setConnectionTimeout(30);
        o.setKeepAliveInterval(120);
        c.connect(o).waitForCompletion(30_000);
        c.subscribe(PREFIX + "/+/cmd-reply", 1).waitForCompletion(30_000);
        return c;
    }
}
