package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.sim.config.GatewayFile;

import io.meterlink.sim.broker.EmbeddedBroker;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Tls;
import io.meterlink.sim.pki.ClientTls;
import io.meterlink.sim.pki.TestPki;
import org.eclipse.paho.client.mqttv3.MqttException;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;

/**
 * The utility's broker of a scenario, with what the gateway and the head-end need to reach it.
 * Driven from the scenario's orchestration thread.
 */
interface ScenarioBroker extends AutoCloseable {
    String PREFIX = "meterlink/v1";
    String HEAD_END = "headend";

    String url();

    /** The {@code uplink:} lines (after {@code url}) that authenticate the gateway, indented by two spaces. */
    String gatewayUplinkYaml(String gatewayId);

    /** A head-end subscribed to every gateway's readings with a persistent session. */
    HeadEnd headEnd(Clock clock) throws MqttException;

    /** A TLS socket factory for another head-end-side client (status watcher). */
    SSLSocketFactory headEndTls();

    String headEndUser();

    char[] headEndPassword();

    /** Stops the broker (SIGKILL when {@code kill}). */
    void stop(boolean kill) throws Exception;

    /** Starts it again on the same port with the same persistence. */
    void start() throws Exception;

    @Override
    void close() throws Exception;

    /** Mosquitto, mutual TLS, the per-gateway ACL (CN = user name). */
    static ScenarioBroker mosquitto(Path dir, TestPki pki) throws IOException, InterruptedException {
        MosquittoBroker broker = MosquittoBroker.builder(dir, pki.caFile(), pki.issueLocalhostServer()).build().start();
        TestPki.Issued headEnd = pki.issueClient(HEAD_END);
        SSLSocketFactory tls = ClientTls.mutual(pki, headEnd);
        return new ScenarioBroker() {
            @Override public String url() { return broker.url(); }

            @Override public String gatewayUplinkYaml(String gatewayId) {
                TestPki.Issued cert = pki.issueClient(gatewayId);
                return GatewayFile.tlsLines(pki.caFile(), cert.certFile(), cert.keyFile());
            }

            @Override public HeadEnd headEnd(Clock clock) throws MqttException {
                return new HeadEnd(broker.url(), null, null, tls, PREFIX, clock, true);
            }

            @Override public SSLSocketFactory headEndTls() { return tls; }

            @Override public String headEndUser() { return null; }

            @Override public char[] headEndPassword() { return null; }

            @Override public void stop(boolean kill) throws InterruptedException {
                if (kill) broker.kill(); else broker.stop();
            }

            @Override public void start() throws IOException, InterruptedException { broker.start(); }

            @Override public void close() throws InterruptedException { broker.close(); }
        };
    }

    /** Moquette in this JVM: TLS with passwords, MQTT 3.1.1; cannot be stopped mid-run. */
    static ScenarioBroker embedded(Path dir, TestPki pki, String gatewayId) throws IOException, java.security.GeneralSecurityException {
        TestPki.Issued server = pki.issueLocalhostServer();
        char[] gwPassword = randomPassword();
        char[] hePassword = randomPassword();
        EmbeddedBroker broker = EmbeddedBroker.start(server.certFile(), server.keyFile(), dir, PREFIX,
                Map.of(gatewayId, gwPassword, HEAD_END, hePassword), HEAD_END);
        SSLSocketFactory tls = Tls.socketFactory(pki.caFile(), null, null);
        return new ScenarioBroker() {
            @Override public String url() { return broker.url(); }

            @Override public String gatewayUplinkYaml(String id) {
                return GatewayFile.uplinkLines(u -> {
                    u.set(UplinkKeys.PROTOCOL, "mqtt311");
                    u.section(UplinkKeys.TLS).set(UplinkKeys.CA_FILE, pki.caFile());
                    u.set(UplinkKeys.USERNAME, id);
                    u.secret(UplinkKeys.PASSWORD, new String(gwPassword));
                });
            }

            @Override public HeadEnd headEnd(Clock clock) throws MqttException {
                return new HeadEnd(broker.url(), HEAD_END, hePassword, tls, PREFIX, clock, false);
            }

            @Override public SSLSocketFactory headEndTls() { return tls; }

            @Override public String headEndUser() { return HEAD_END; }

            @Override public char[] headEndPassword() { return hePassword.clone(); }

            @Override public void stop(boolean kill) {
                throw new UnsupportedOperationException("the embedded broker cannot be stopped mid-run");
            }

            @Override public void start() {
                throw new UnsupportedOperationException("the embedded broker cannot be restarted");
            }

            @Override public void close() { broker.close(); }
        };
    }

    private static char[] randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b).toCharArray();
    }
}
