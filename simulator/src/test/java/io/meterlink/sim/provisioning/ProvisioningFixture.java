package io.meterlink.sim.provisioning;

import io.meterlink.cli.Main;
import io.meterlink.cli.Services;
import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.utility.ProvisioningResponder;
import io.meterlink.sim.utility.UtilityCa;
import io.meterlink.sim.pki.TestPki;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Assertions;

import javax.net.ssl.SSLSocketFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Shared pieces of the provisioning integration tests. */
final class ProvisioningFixture {
    static final String PREFIX = "meterlink/v1";

    private ProvisioningFixture() {
    }

    /** Tests need mosquitto: in CI its absence is a failure, elsewhere a skip with a message. */
    static void requireMosquitto() {
        io.meterlink.sim.crash.CrashFixture.requireMosquitto();
    }

    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) Assertions.fail("timed out: " + what.get());
            Thread.sleep(50);
        }
    }

    static SSLSocketFactory tls(TestPki pki, TestPki.Issued client) throws Exception {
        return TlsContexts.socketFactory(pki.caFile(), Optional.of(client.certFile()), Optional.of(client.keyFile()));
    }

    /** A client certificate for {@code cn}. */
    static TestPki.Issued connectable(TestPki pki, String cn) {
        return pki.issueClient(cn);
    }

    /** A connected MQTT 5 client with {@code client}'s certificate. */
    static MqttAsyncClient connect(MosquittoBroker broker, TestPki pki, TestPki.Issued client) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(broker.url(), "t-" + client.name() + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(tls(pki, client));
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    /** Publishes QoS 1 and returns the PUBACK reason code, 0 for any success (0x10 "no subscribers" too; 0x87: not authorised). */
    static int publish(MqttAsyncClient c, String topic, byte[] body) throws Exception {
        IMqttToken t = c.publish(topic, new MqttMessage(body, 1, false, null));
        t.waitForCompletion(30_000);
        int[] rc = t.getReasonCodes();
        return rc == null || rc.length == 0 || rc[0] < 0x80 ? 0 : rc[0];
    }

    /** A bundle for {@code gw}: the test broker, its CA pinned, no meters. */
    static String bundle(long version, String gw, MosquittoBroker broker, TestPki pki) throws Exception {
        return "bundle_version: " + version + "\ngateway_id: " + gw + "\ntopic_prefix: " + PREFIX + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", pki.ca().certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + broker.url() + "\n  status_interval: 2s\n  backoff_min: 100ms\n  backoff_max: 1s\n"
                + "sources: []\n";
    }

    /** A bundle for {@code gw} naming {@code url} and pinning {@code ca}, with {@code extra} top-level YAML appended. */
    static String bundle(long version, String gw, String url, java.security.cert.X509Certificate ca, String extra) throws Exception {
        return "bundle_version: " + version + "\ngateway_id: " + gw + "\ntopic_prefix: " + PREFIX + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", ca.getEncoded()).indent(2)
                + "broker:\n  url: " + url + "\n  status_interval: 2s\n  backoff_min: 100ms\n  backoff_max: 1s\n  connect_timeout: 3s\n"
                + "sources: []\n" + extra;
    }

    /** The utility's bundle-signing key pair; its public part written to {@code pub} (for 'provision init --bundle-signing-key'). */
    static java.security.KeyPair signingKey(Path pub) throws Exception {
        java.security.KeyPair kp = io.meterlink.provisioning.bundle.SignedBundle.generate();
        Files.writeString(pub, io.meterlink.provisioning.bundle.SigningKeyPin.pem(kp.getPublic()));
        return kp;
    }

    static byte[] sign(String bundle, java.security.KeyPair key) throws Exception {
        return io.meterlink.provisioning.bundle.SignedBundle.sign(bundle.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                key.getPrivate(), key.getPublic());
    }

    /** The claim configuration: the claim certificate, the test CA pinned. */
    static Path claimConfig(Path file, String claimId, MosquittoBroker broker, TestPki pki, TestPki.Issued claim) throws Exception {
        Files.writeString(file, "claim_id: " + claimId + "\ntimeout: 30s\nbroker:\n  url: " + broker.url() + "\n"
                + "  tls: {ca_file: " + pki.caFile() + ", cert_file: " + claim.certFile() + ", key_file: " + claim.keyFile() + "}\n");
        return file;
    }

    static Reading reading(int i) {
        return new Reading(MeterId.of("wmbus:KAM:" + String.format("%08d", i % 10)), Quantity.VOLUME, Unit.M3,
                new BigDecimal(i).movePointLeft(3), MeasurementFunction.INSTANTANEOUS, 0, 0, 0,
                Instant.parse("2026-11-26T00:00:00Z").plusSeconds(i), Instant.now(), 0, null);
    }

    /** The real services, except that the started gateway is kept and the stop request is a latch. */
    static final class TestServices implements Services {
        final CountDownLatch stop = new CountDownLatch(1);
        final Duration renewalCheck;
        volatile Gateway gateway;

        TestServices(Duration renewalCheck) { this.renewalCheck = renewalCheck; }

        @Override public GatewayConfig loadConfig(Path file) throws ConfigException { return ConfigLoader.load(file); }

        @Override public Gateway start(GatewayConfig config) throws GatewayException {
            gateway = Gateway.start(config);
            return gateway;
        }

        @Override public BufferStats inspectBuffer(Path database) { return SqliteBuffer.inspect(database); }

        @Override public Duration renewalCheckInterval() { return renewalCheck; }

        @Override public void awaitStopRequest() throws InterruptedException { stop.await(); }
    }

    /** One CLI command, in process; returns the exit code, output appended to {@code log}. */
    static int meterlink(Services services, StringBuilder log, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine(services, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        synchronized (log) {
            log.append("$ meterlink ").append(String.join(" ", args)).append(" -> ").append(rc).append('\n').append(out).append(err);
        }
        return rc;
    }

    /**
     * The technician's first two commands: {@code provision init} of {@code gatewayId} in {@code stateDir} (with
     * {@code initOptions}), then {@code provision apply --allow-unsigned bundle}; both must succeed.
     */
    static void initAndApply(Services services, StringBuilder log, String gatewayId, Path stateDir, Path bundle, String... initOptions) {
        List<String> init = new ArrayList<>(List.of("provision", "init", "--gateway-id", gatewayId, "--state-dir", stateDir.toString()));
        init.addAll(List.of(initOptions));
        Assertions.assertEquals(0, meterlink(services, log, init.toArray(String[]::new)), log::toString);
        Assertions.assertEquals(0, meterlink(services, log, "provision", "apply", "--allow-unsigned", bundle.toString(), "--state-dir", stateDir.toString()),
                log::toString);
    }

    /** Runs {@code meterlink run …} on a thread (it returns when {@code services.stop} counts down). */
    static Thread run(Services services, StringBuilder log, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        Thread t = new Thread(() -> meterlink(services, log, all), "it-meterlink-run");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static List<String> none() { return List.of(); }

    /**
     * The utility side of the fleet tests: a Mosquitto (mutual TLS, ACLs, the claim's enrolment lines,
     * whatever {@code customize} adds), the provisioning responder that enrols {@code gw} by {@code claim},
     * and a head-end subscriber with its own certificate.
     */
    record Utility(TestPki pki, MosquittoBroker broker, ProvisioningResponder responder, HeadEnd headEnd, TestPki.Issued headEndCert)
            implements AutoCloseable {
        static Utility start(Path dir, String claim, String gw, java.util.function.UnaryOperator<MosquittoBroker.Builder> customize,
                             boolean persistentHeadEnd) throws Exception {
            requireMosquitto();
            TestPki pki = TestPki.create(dir.resolve("pki"));
            TestPki.Issued headEndCert = pki.issueClient("headend");
            MosquittoBroker.Builder b = customize.apply(MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer()));
            ProvisioningResponder.aclLines(PREFIX, "provisioning", java.util.Map.of(claim, "claim-" + claim)).forEach(b::aclLine);
            MosquittoBroker broker = b.build().start();
            ProvisioningResponder responder = new ProvisioningResponder(broker.url(), tls(pki, pki.issueClient("provisioning")), PREFIX,
                    new UtilityCa(pki), java.util.Set.of(claim), java.util.Set.of(gw));
            HeadEnd headEnd = new HeadEnd(broker.url(), null, null, tls(pki, headEndCert), PREFIX, java.time.Clock.systemUTC(), persistentHeadEnd);
            return new Utility(pki, broker, responder, headEnd, headEndCert);
        }

        @Override public void close() throws Exception {
            headEnd.close();
            responder.close();
            broker.stop();
        }
    }

    static byte[] poll(BlockingQueue<byte[]> q) throws InterruptedException {
        byte[] b = q.poll(60, TimeUnit.SECONDS);
        Assertions.assertNotNull(b, "a message within 60 s");
        return b;
    }

    static MqttCallback collector(BlockingQueue<byte[]> q) {
        return new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { }
            @Override public void mqttErrorOccurred(MqttException e) { }
            @Override public void messageArrived(String topic, MqttMessage m) { q.add(m.getPayload()); }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        };
    }
}
