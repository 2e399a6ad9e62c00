package io.meterlink.sim.broker;

import io.meterlink.sim.crash.CrashFixture;
import io.meterlink.sim.pki.ClientTls;
import io.meterlink.sim.pki.TestPki;
import io.meterlink.sim.utility.UtilityCa;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 9 §6: the Mosquitto configuration and ACL of {@code docs/security.md}, extracted from the
 * document and started as written (only file paths and the port are the test's), with test
 * certificates. Run as root, the files get the owners the document prescribes (Mosquitto then drops
 * to the {@code mosquitto} user and must still read them).
 */
class DocumentedBrokerConfigIT {
    private static final Path DOC = Path.of("../docs/security.md");
    private static final String PREFIX = "meterlink/v1";

    @TempDir Path dir;
    private TestPki pki;
    private Process broker;
    private int port;
    private Path output;
    private final List<MqttAsyncClient> clients = new ArrayList<>();

    @BeforeEach
    void pki() {
        CrashFixture.requireMosquitto();
        pki = TestPki.create(dir.resolve("pki"));
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttAsyncClient c : clients) {
            try {
                if (c.isConnected()) c.disconnectForcibly(0, 1000, false);
                c.close(true);
            } catch (MqttException | RuntimeException ignored) {
                // best effort
            }
        }
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(20, TimeUnit.SECONDS)) broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void documentedConfig_loads_andAnotherGatewaysCertificate_cannotTakeOverASession() throws Exception {
        start(documented());
        Received headEnd = headEnd();
        AtomicReference<String> victimLost = new AtomicReference<>();
        MqttAsyncClient victim = gateway("gw-a", "gw-a", victimLost);
        MqttAsyncClient attacker = gateway("gw-b", "gw-a", new AtomicReference<>());
        assertTrue(attacker.isConnected(), "the attacker's own certificate connects");
        // a takeover closes the old session while the broker handles the new CONNECT, before its CONNACK: a
        // round trip of the victim's after the attacker's CONNACK (PUBACK success) proves its session survived
        publish(victim, PREFIX + "/gw-a/readings", "from-victim");
        assertNull(victimLost.get(), "the victim was not disconnected");
        assertTrue(victim.isConnected(), "the victim is still connected");

        // the attacker cannot write on the victim's topics (MQTT 5: 0x87)
        IMqttToken denied = attacker.publish(PREFIX + "/gw-a/readings",
                new MqttMessage("from-attacker".getBytes(StandardCharsets.UTF_8), 1, false, null));
        denied.waitForCompletion(10_000);
        assertArrayEquals(new int[] {0x87}, denied.getReasonCodes(), "PUBACK not authorized");
        publish(attacker, PREFIX + "/gw-b/readings", "attacker-own");
        assertTrue(headEnd.await(PREFIX + "/gw-b/readings", "attacker-own"), "the attacker's own topic works (ordering barrier)");
        assertTrue(headEnd.has(PREFIX + "/gw-a/readings", "from-victim"));
        assertFalse(headEnd.has(PREFIX + "/gw-a/readings", "from-attacker"), "the denied publish reached nobody");
    }

    /** {@code max_packet_size}: a 3 MiB "command" from the head-end never reaches the gateway; a small one does. */
    @Test
    void oversizedCommand_isStoppedAtTheBroker() throws Exception {
        start(documented());
        java.util.List<String> got = new CopyOnWriteArrayList<>();
        MqttAsyncClient gw = gateway("gw-a", "gw-a", new AtomicReference<>());
        gw.setCallback(new Callback() {
            @Override public void messageArrived(String topic, MqttMessage m) { got.add(topic + " " + m.getPayload().length); }
        });
        gw.subscribe(PREFIX + "/gw-a/cmd/#", 1).waitForCompletion(30_000);
        MqttAsyncClient he = headEndClient();
        try {
            he.publish(PREFIX + "/gw-a/cmd/apply-bundle/big", new MqttMessage(new byte[3 * 1024 * 1024], 1, false, null))
                    .waitForCompletion(30_000);
        } catch (MqttException expected) {
            // the broker closes the connection on the oversized packet
        }
        MqttAsyncClient he2 = headEndClient();
        publish(he2, PREFIX + "/gw-a/cmd/ping/small", "{}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!got.contains(PREFIX + "/gw-a/cmd/ping/small 2") && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(List.of(PREFIX + "/gw-a/cmd/ping/small 2"), got, "only the small command arrived");
    }

    /** Shows the option is what protects: without it the same attack kicks the victim off. */
    @Test
    void withoutUseUsernameAsClientId_theSameCertificateKicksTheVictim() throws Exception {
        String conf = documented();
        assertTrue(conf.contains("\nuse_username_as_clientid true\n"));
        start(conf.replace("\nuse_username_as_clientid true\n", "\n"));
        AtomicReference<String> victimLost = new AtomicReference<>();
        gateway("gw-a", "gw-a", victimLost);
        gateway("gw-b", "gw-a", new AtomicReference<>());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (victimLost.get() == null && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(victimLost.get() != null, "the victim was kicked off by a session takeover");
    }

    /** docs/payloads.md "Refused publishes": under MQTT 3.1.1 Mosquitto acknowledges a denied publish and drops it. */
    @Test
    void mqtt311_deniedPublish_isAcknowledged_andDropped() throws Exception {
        start(documented());
        Received headEnd = headEnd();
        org.eclipse.paho.client.mqttv3.MqttAsyncClient c = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(url(), "gw-b",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        AtomicReference<Throwable> lost = new AtomicReference<>();
        c.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override public void connectionLost(Throwable cause) { lost.set(cause); }
            @Override public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) { }
            @Override public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) { }
        });
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setSocketFactory(ClientTls.mutual(pki, pki.issueClient("gw-b")));
        o.setHttpsHostnameVerificationEnabled(true);
        try {
            c.connect(o).waitForCompletion(30_000);
            org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t = c.publish(PREFIX + "/gw-a/readings",
                    "denied".getBytes(StandardCharsets.UTF_8), 1, false);
            t.waitForCompletion(10_000);
            assertTrue(t.isComplete(), "acknowledged");
            assertNull(t.getException(), "no error reaches the client");
            c.publish(PREFIX + "/gw-b/readings", "own".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
            assertTrue(headEnd.await(PREFIX + "/gw-b/readings", "own"), "own topic delivered (ordering barrier)");
            assertFalse(headEnd.has(PREFIX + "/gw-a/readings", "denied"), "the denied publish was dropped");
            assertTrue(c.isConnected() && lost.get() == null, "the connection stays up");
        } finally {
            if (c.isConnected()) c.disconnectForcibly(0, 1000);
            c.close(true);
        }
    }

    // ------------------------------------------------------------------ the broker from the document

    /** The fenced block after the {@code <!-- NAME: … -->} marker in docs/security.md. */
    static String block(String doc, String name) {
        Matcher m = Pattern.compile("<!-- " + Pattern.quote(name) + ":[^>]*-->\\s*```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        if (!m.find()) fail("no '" + name + "' block in " + DOC);
        return m.group(1);
    }

    /** The documented configuration with the test's paths and port; its files written. */
    private String documented() throws Exception {
        String doc = Files.readString(DOC);
        Path certs = Files.createDirectories(dir.resolve("etc/certs"));
        Path data = Files.createDirectories(dir.resolve("var/lib/mosquitto"));
        TestPki.Issued server = pki.issueLocalhostServer();
        Path ca = Files.copy(pki.caFile(), certs.resolve("meterlink-issuing-ca.pem"));
        Path cert = Files.copy(server.certFile(), certs.resolve("broker.pem"));
        Path key = Files.copy(server.keyFile(), certs.resolve("broker.key"));
        Path crl = new UtilityCa(pki).writeCrl(certs.resolve("meterlink-issuing-ca.crl"));
        Path acl = Files.writeString(dir.resolve("etc/meterlink.acl"), block(doc, "meterlink.acl"));
        port = freePort();
        Map<String, String> paths = Map.of(
                "/etc/mosquitto/certs/meterlink-issuing-ca.pem", ca.toString(),
                "/etc/mosquitto/certs/broker.pem", cert.toString(),
                "/etc/mosquitto/certs/broker.key", key.toString(),
                "/etc/mosquitto/certs/meterlink-issuing-ca.crl", crl.toString(),
                "/etc/mosquitto/meterlink.acl", acl.toString(),
                "/var/lib/mosquitto/", data + "/",
                "\nlistener 8883\n", "\nlistener " + port + " 127.0.0.1\n");
        String conf = block(doc, "mosquitto.conf");
        for (var e : paths.entrySet()) {
            assertTrue(conf.contains(e.getKey()), "the documented config names " + e.getKey());
            conf = conf.replace(e.getKey(), e.getValue());
        }
        if ("root".equals(System.getProperty("user.name"))) giveToMosquitto(List.of(key, crl), data, acl);
        return conf;
    }

    /** As docs/security.md says: key and CRL readable by group mosquitto, the persistence directory its own. */
    private void giveToMosquitto(List<Path> secrets, Path data, Path acl) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        GroupPrincipal group = users.lookupPrincipalByGroupName("mosquitto");
        for (Path f : secrets) {
            Files.getFileAttributeView(f, PosixFileAttributeView.class).setGroup(group);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        }
        Files.setOwner(data, users.lookupPrincipalByName("mosquitto"));
        Files.setPosixFilePermissions(acl, PosixFilePermissions.fromString("rw-r--r--"));
        // the test's temporary directories must be traversable for the dropped user
        for (Path leaf : List.of(data, secrets.get(0).getParent(), acl.getParent())) {
            for (Path p = leaf; p != null && p.startsWith(dir); p = p.getParent()) {
                Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(p));
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                perms.add(PosixFilePermission.GROUP_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private void start(String conf) throws Exception {
        Path file = Files.writeString(dir.resolve("etc/meterlink.conf"), conf);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        output = dir.resolve("mosquitto.out");
        broker = new ProcessBuilder(MosquittoBroker.BINARY.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!broker.isAlive()) fail("Mosquitto refused the documented configuration (exit " + broker.exitValue() + "):\n" + tail());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) fail("Mosquitto did not open its port:\n" + tail());
                Thread.sleep(50);
            }
        }
    }

    private String url() { return "ssl://localhost:" + port; }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(output);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private MqttAsyncClient gateway(String cn, String clientId, AtomicReference<String> lost) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(url(), clientId, new MemoryPersistence());
        clients.add(c);
        c.setCallback(new Callback() {
            @Override public void disconnected(MqttDisconnectResponse r) { lost.compareAndSet(null, String.valueOf(r)); }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(ClientTls.mutual(pki, pki.issueClient(cn)));
        o.setHttpsHostnameVerificationEnabled(true);
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    private static void publish(MqttAsyncClient c, String topic, String body) throws MqttException {
        IMqttToken t = c.publish(topic, new MqttMessage(body.getBytes(StandardCharsets.UTF_8), 1, false, null));
        t.waitForCompletion(10_000);
        int[] rc = t.getReasonCodes();
        assertEquals(0, rc == null || rc.length == 0 ? 0 : rc[0], "PUBACK success");
    }

    /** Messages the head-end received, by topic. */
    private static final class Received {
        private final Map<String, List<String>> byTopic = new ConcurrentHashMap<>();

        void add(String topic, String body) {
            byTopic.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(body);
        }

        boolean has(String topic, String body) { return byTopic.getOrDefault(topic, List.of()).contains(body); }

        boolean await(String topic, String body) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!has(topic, body) && System.nanoTime() < deadline) Thread.sleep(20);
            return has(topic, body);
        }
    }

    private Received headEnd() throws Exception {
        Received r = new Received();
        MqttAsyncClient c = headEndClient();
        c.setCallback(new Callback() {
            @Override public void messageArrived(String topic, MqttMessage m) { r.add(topic, new String(m.getPayload(), StandardCharsets.UTF_8)); }
        });
        c.subscribe(PREFIX + "/#", 1).waitForCompletion(30_000);
        return r;
    }

    /** A connected client with the head-end's certificate (CN=headend, which is also its client id). */
    private MqttAsyncClient headEndClient() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(url(), "headend-" + System.nanoTime(), new MemoryPersistence());
        clients.add(c);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(ClientTls.mutual(pki, pki.issueClient("headend")));
        o.setHttpsHostnameVerificationEnabled(true);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    private abstract static class Callback implements MqttCallback {
        @Override public void disconnected(MqttDisconnectResponse r) { }
        @Override public void mqttErrorOccurred(MqttException e) { }
        @Override public void messageArrived(String topic, MqttMessage m) { }
        @Override public void deliveryComplete(IMqttToken t) { }
        @Override public void connectComplete(boolean reconnect, String uri) { }
        @Override public void authPacketArrived(int rc, MqttProperties p) { }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
