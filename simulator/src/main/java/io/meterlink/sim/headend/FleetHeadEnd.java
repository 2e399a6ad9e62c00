package io.meterlink.sim.headend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.command.SignedCommands;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import javax.net.ssl.SSLSocketFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The utility's fleet operations against one gateway (docs/fleet.md), for the {@code fleet_ops} scenario
 * fault: a remote {@code read-now}, an unsigned and a signed {@code log-level}, a live bundle that
 * renames a meter line (stopped and started without a restart), a signed software update sent in MQTT
 * chunks that must be confirmed, and one whose jar cannot start, which must be rolled back. Each step is
 * an {@link HostileHeadEnd.Attack} with its expected outcome. Not thread-safe.
 */
public final class FleetHeadEnd implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 512 * 1024;
    private static final long SETTLE_MS = 180_000;

    /**
     * What the head-end needs: the gateway, the signing key, the live bundle to send, the two packages.
     *
     * @param liveBundle the bundle (version 2) that renames {@code renamedFrom} to {@code renamedTo}
     */
    public record Target(String gatewayId, String prefix, KeyPair utilityKey, String liveBundle, String renamedFrom,
                         String renamedTo, Path goodJar, String goodRelease, Path badJar, String badRelease) {
    }

    private final Target t;
    private final MqttAsyncClient client;
    private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    private final CountDownLatch online = new CountDownLatch(1);
    private final Consumer<String> log;
    private long seq;

    public FleetHeadEnd(String url, Target target, SSLSocketFactory tls, Consumer<String> log) throws MqttException {
        this.t = target;
        this.log = log;
        this.client = new MqttAsyncClient(url, "fleet-head-end-" + System.nanoTime(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { }
            @Override public void mqttErrorOccurred(MqttException e) { }
            @Override public void messageArrived(String topic, MqttMessage m) {
                if (topic.endsWith("/status")) {
                    if (new String(m.getPayload(), StandardCharsets.UTF_8).contains("\"state\":\"online\"")) online.countDown();
                } else {
                    replies.add(m.getPayload());
                }
            }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        });
        HostileHeadEnd.connectAndWatch(client, tls, true, t.prefix(), t.gatewayId());
    }

    /** Runs every step in order; never throws for the gateway's behaviour, only records it. */
    public List<HostileHeadEnd.Attack> run() throws Exception {
        if (!online.await(90, TimeUnit.SECONDS)) throw new IllegalStateException("the gateway did not come online within 90 s");
        List<HostileHeadEnd.Attack> out = new ArrayList<>();
        long t0 = System.nanoTime();
        JsonNode r = send("read-now/all", "{}".getBytes(StandardCharsets.UTF_8));
        out.add(step("read_now", t0, Set.of("ok"), r.path("ok").asBoolean() && r.path("read").asInt() > 0 ? "ok" : outcome(r), r));

        t0 = System.nanoTime();
        r = send("log-level/unsigned", "{\"level\":\"debug\",\"seconds\":5}".getBytes(StandardCharsets.UTF_8));
        out.add(step("log_level_unsigned", t0, Set.of("unsigned"), outcome(r), r));
        t0 = System.nanoTime();
        r = send("log-level/signed", signed("log-level", json().put("level", "debug").put("seconds", 5)));
        out.add(step("log_level", t0, Set.of("ok"), outcome(r), r));

        t0 = System.nanoTime();
        r = send("apply-bundle/live", SignedBundle.sign(t.liveBundle().getBytes(StandardCharsets.UTF_8),
                t.utilityKey().getPrivate(), t.utilityKey().getPublic()));
        boolean live = r.path("ok").asBoolean() && !r.path("restart_required").asBoolean(true)
                && r.path("sources").path("stopped").toString().contains("\"" + t.renamedFrom() + "\"")
                && r.path("sources").path("started").toString().contains("\"" + t.renamedTo() + "\"");
        out.add(step("live_bundle", t0, Set.of("live"), live ? "live" : outcome(r), r));

        out.add(update("update_confirmed", t.goodJar(), t.goodRelease(), t.goodRelease(), "last_confirmed", "confirmed"));
        out.add(update("update_rolled_back", t.badJar(), t.badRelease(), t.goodRelease(), "last_rolled_back", "rolled_back"));
        return out;
    }

    /** Sends a signed update and its chunks, then waits for the gateway to settle on {@code settlesOn} and report {@code report}. */
    private HostileHeadEnd.Attack update(String name, Path jar, String release, String settlesOn, String report, String outcome) throws Exception {
        long t0 = System.nanoTime();
        byte[] bytes = Files.readAllBytes(jar);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        JsonNode r = send("update/" + name, signed("update", json().put("version", release).put("sha256", sha)
                .put("size", bytes.length).put("chunk_size", CHUNK)));
        if (!r.path("ok").asBoolean()) return step(name, t0, Set.of(outcome), outcome(r), r);
        for (int i = 0; i * CHUNK < bytes.length; i++) {
            r = send("update-chunk/" + i, Arrays.copyOfRange(bytes, i * CHUNK, Math.min(bytes.length, (i + 1) * CHUNK)));
            if (!r.path("ok").asBoolean()) return step(name, t0, Set.of(outcome), outcome(r), r);
        }
        if (!"installed".equals(r.path("state").asText())) return step(name, t0, Set.of(outcome), "not_installed", r);
        log.accept("fleet head-end: " + release + " installed; waiting for the gateway to settle on " + settlesOn);
        long deadline = System.currentTimeMillis() + SETTLE_MS;
        while (System.currentTimeMillis() < deadline) {
            replies.clear();
            client.publish(t.prefix() + "/" + t.gatewayId() + "/cmd/update-status/poll", new MqttMessage(new byte[0], 1, false, null));
            byte[] b = replies.poll(2, TimeUnit.SECONDS);
            if (b == null) continue;
            JsonNode s = JSON.readTree(b);
            if (settlesOn.equals(s.path("current").asText()) && !s.has("pending") && release.equals(s.path(report).path("version").asText())) {
                return step(name, t0, Set.of(outcome), outcome, s);
            }
        }
        return step(name, t0, Set.of(outcome), "not_settled", r);
    }

    private static ObjectNode json() { return JSON.createObjectNode(); }

    private byte[] signed(String cmd, ObjectNode args) throws Exception {
        return SignedCommands.sign(cmd, t.gatewayId(), ++seq, args, t.utilityKey());
    }

    private JsonNode send(String topic, byte[] body) throws Exception {
        replies.clear();
        client.publish(t.prefix() + "/" + t.gatewayId() + "/cmd/" + topic, new MqttMessage(body, 1, false, null)).waitForCompletion(30_000);
        byte[] r = replies.poll(60, TimeUnit.SECONDS);
        return r == null ? json().put("error", "no_reply") : JSON.readTree(r);
    }

    private static String outcome(JsonNode r) {
        return r.path("ok").asBoolean() ? "ok" : r.path("error").asText("failed");
    }

    private HostileHeadEnd.Attack step(String name, long t0, Set<String> expected, String outcome, JsonNode detail) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        log.accept("fleet head-end: " + name + " -> " + outcome + " (" + ms + " ms)");
        return new HostileHeadEnd.Attack(name, expected, outcome, ms, detail.toString());
    }

    @Override
    public void close() throws MqttException {
        try {
            client.disconnect().waitForCompletion(5000);
        } finally {
            client.close();
        }
    }
}
