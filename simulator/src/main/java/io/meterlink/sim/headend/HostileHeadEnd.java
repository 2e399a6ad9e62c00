package io.meterlink.sim.headend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.identity.Pem;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import javax.net.SocketFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A head-end gone bad (a compromised broker account or utility system): publishes bundles on the
 * gateway's {@code cmd/apply-bundle} that must all be refused, each with its typed reason, and one
 * valid signed rotation of CA and URL to a broker that cannot be reached, which must be tried and
 * rolled back within the gateway's trial bound. Each attack waits for the gateway's {@code cmd-reply}
 * with its request id. One run per instance; {@link #run} blocks until the last attack is judged.
 */
public final class HostileHeadEnd implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY_WAIT = Duration.ofSeconds(20);

    /** What the attacks need to know about the gateway and the utility. */
    public record Target(String gatewayId, String prefix, String brokerUrl, X509Certificate ca, X509Certificate otherCa,
                         String unreachableUrl, Path stateDir, KeyPair utilityKey, KeyPair strangerKey, Duration trialBound,
                         int oversizedBytes) {
    }

    /** One attack and what became of it. {@code outcome} is the reply's error code, or {@code no_reply}. */
    public record Attack(String name, Set<String> expected, String outcome, long ms, String detail) {
        public boolean asExpected() { return expected.contains(outcome); }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attack", name);
            m.put("expected", expected.size() == 1 ? expected.iterator().next() : List.copyOf(expected));
            m.put("outcome", outcome);
            m.put("ok", asExpected());
            m.put("ms", ms);
            return m;
        }
    }

    private final Target t;
    private final MqttAsyncClient client;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private final Consumer<String> log;
    private final String topic;
    private final java.util.concurrent.CountDownLatch online = new java.util.concurrent.CountDownLatch(1);

    public HostileHeadEnd(Target target, SocketFactory tls, Consumer<String> log) throws MqttException {
        this.t = target;
        this.log = log;
        this.topic = t.prefix() + "/" + t.gatewayId() + "/cmd/apply-bundle/";
        client = new MqttAsyncClient(t.brokerUrl(), "hostile-head-end-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { }
            @Override public void mqttErrorOccurred(MqttException e) { }
            @Override public void messageArrived(String topic, MqttMessage m) {
                try {
                    JsonNode n = JSON.readTree(m.getPayload());
                    if (topic.endsWith("/status")) {
                        if ("online".equals(n.path("state").asText())) online.countDown();
                        return;
                    }
                    replies.add(n);
                } catch (java.io.IOException e) {
                    log.accept("unreadable cmd-reply: " + e.getMessage());
                }
            }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        });
        connectAndWatch(client, tls, false, t.prefix(), t.gatewayId());
    }

    /** Connects a head-end client (clean start) and subscribes to the gateway's {@code cmd-reply} and {@code status}. */
    static void connectAndWatch(MqttAsyncClient client, SocketFactory tls, boolean reconnect, String prefix, String gatewayId)
            throws MqttException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(tls);
        o.setCleanStart(true);
        o.setAutomaticReconnect(reconnect);
        client.connect(o).waitForCompletion(30_000);
        client.subscribe(prefix + "/" + gatewayId + "/cmd-reply", 1).waitForCompletion(30_000);
        client.subscribe(prefix + "/" + gatewayId + "/status", 1).waitForCompletion(30_000);
    }

    private String bundle(long version, String gw, String url, X509Certificate ca, String extra) throws Exception {
        return "bundle_version: " + version + "\ngateway_id: " + gw + "\ntopic_prefix: " + t.prefix() + "\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", ca.getEncoded()).indent(2)
                + "broker:\n  url: " + url + "\n  backoff_min: 100ms\n  backoff_max: 1s\n  connect_timeout: 3s\n" + extra;
    }

    private byte[] signed(String bundle, KeyPair key) throws Exception {
        return SignedBundle.sign(bundle.getBytes(StandardCharsets.UTF_8), key.getPrivate(), key.getPublic());
    }

    /** Runs every attack in order; never throws for the gateway's behaviour, only records it. */
    public List<Attack> run() throws Exception {
        // commands sent while the gateway is offline are not kept (clean session): wait until it is online
        if (!online.await(90, TimeUnit.SECONDS)) throw new IllegalStateException("the gateway did not come online within 90 s");
        List<Attack> out = new ArrayList<>();
        KeyPair utility = t.utilityKey();
        String url = t.brokerUrl();
        // a valid bundle first: the replay below re-sends it
        byte[] first = signed(bundle(1, t.gatewayId(), url, t.ca(), ""), utility);
        out.add(attack("valid_signed", first, Set.of("ok", "accepted"), false));
        out.add(attack("unsigned", bundle(2, t.gatewayId(), url, t.ca(), "").getBytes(StandardCharsets.UTF_8), Set.of("unsigned"), false));
        out.add(attack("wrongly_signed", signed(bundle(2, t.gatewayId(), url, t.ca(), ""), t.strangerKey()), Set.of("bad_signature"), false));
        out.add(attack("other_gateway", signed(bundle(2, "not-" + t.gatewayId(), url, t.ca(), ""), utility), Set.of("wrong_gateway"), false));
        out.add(attack("replayed", first, Set.of("replayed"), false));
        out.add(attack("version_jump", signed(bundle(Long.MAX_VALUE, t.gatewayId(), url, t.ca(), ""), utility), Set.of("version_jump"), false));
        out.add(attack("plaintext_switch", signed(bundle(2, t.gatewayId(), url.replace("ssl://", "tcp://"), t.ca(), "")
                .replace("  backoff_min", "  allow_insecure: true\n  backoff_min"), utility), Set.of("forbidden_setting"), false));
        out.add(attack("path_escape", signed(bundle(2, t.gatewayId(), url, t.ca(),
                "buffer:\n  path: " + t.stateDir().resolve("identity/gateway.key") + "\n"), utility), Set.of("path_escape"), false));
        out.add(attack("ca_rotation_unreachable", signed(bundle(2, t.gatewayId(), t.unreachableUrl(), t.otherCa(), ""), utility),
                Set.of("rolled_back"), true));
        if (t.oversizedBytes() > 0) { // last: it tests the command channel's size bound, not the bundle checks
            byte[] huge = new byte[t.oversizedBytes()];
            java.util.Arrays.fill(huge, (byte) 'x');
            out.add(attack("oversized_" + t.oversizedBytes() / (1024 * 1024) + "mb", huge, Set.of("too_large", "no_reply"), false));
        }
        return out;
    }

    /**
     * Publishes one attack and waits for its reply; with {@code trial}, an accepted apply must be followed
     * by a trial event, whose state ({@code accepted}/{@code rolled_back}) is the outcome.
     */
    private Attack attack(String name, byte[] body, Set<String> expected, boolean trial) throws Exception {
        String request = name;
        long t0 = System.nanoTime();
        String outcome;
        String detail = "";
        try {
            client.publish(topic + request, new MqttMessage(body, 1, false, null)).waitForCompletion(60_000);
        } catch (MqttException e) {
            // the broker may drop an oversized publish: the gateway never sees it
            detail = "publish: " + e.getMessage();
        }
        JsonNode r = reply(request, REPLY_WAIT);
        if (r == null) {
            outcome = "no_reply";
        } else if (r.path("ok").asBoolean()) {
            outcome = "ok";
            if (r.path("trial").asText().equals("started") || trial) {
                JsonNode ev = reply(request, t.trialBound().plus(REPLY_WAIT));
                outcome = ev == null ? "no_trial_outcome" : ev.path("trial").asText("?");
                detail = ev == null ? "" : ev.path("message").asText();
            }
        } else {
            outcome = r.path("error").asText("?");
            detail = r.path("message").asText();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Attack a = new Attack(name, expected, outcome, ms, detail);
        log.accept("attack " + name + ": " + outcome + (a.asExpected() ? "" : " (EXPECTED " + expected + ")") + " after " + ms + " ms"
                + (detail.isEmpty() ? "" : ": " + detail));
        return a;
    }

    /** The next reply to {@code request}; replies to others are dropped. */
    private JsonNode reply(String request, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            JsonNode r = replies.poll(left, TimeUnit.NANOSECONDS);
            if (r != null && request.equals(r.path("request").asText())) return r;
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
            client.close();
        } catch (MqttException e) {
            log.accept("hostile head-end close: " + e.getMessage());
        }
    }
}
