package io.meterlink.sim.utility;

import io.meterlink.provisioning.enrol.EnrolmentMessages;
import io.meterlink.provisioning.enrol.EnrolmentTopics;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.SocketFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The simulated utility's provisioning service: an MQTT client (its own client certificate) that
 * answers enrolment requests on {@code <prefix>/provisioning/<claim>/csr} for the claim ids it
 * serves, and renewals on {@code <prefix>/provisioning/renew/<gw>/csr}, signing CSRs with a
 * {@link UtilityCa}.
 *
 * <p>Rules: a claim enrolment is for a gateway id on the allow-list that has not enrolled yet (an
 * allow-list entry is used once, so a second device with the shared claim credential cannot take an
 * enrolled gateway's identity); a renewal is for an enrolled gateway, the request arriving on that
 * gateway's own topic (the broker's ACL ties it to the certificate's CN). The CSR's CN must be the
 * gateway id. Paho's callback only enqueues; one worker thread signs and answers. Thread-safe.
 */
public final class ProvisioningResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningResponder.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** ACL lines for Mosquitto: the claim users, the responder user, and every gateway's renewal topics. */
    public static List<String> aclLines(String prefix, String responderUser, Map<String, String> claimUserById) {
        List<String> a = new java.util.ArrayList<>();
        a.add("pattern write " + EnrolmentTopics.renewRequest(prefix, "%u"));
        a.add("pattern read " + EnrolmentTopics.renewResponse(prefix, "%u"));
        a.add("user " + responderUser);
        a.add("topic read " + prefix + "/provisioning/+/csr");
        a.add("topic read " + EnrolmentTopics.renewRequest(prefix, "+"));
        a.add("topic write " + prefix + "/provisioning/+/cert/+");
        a.add("topic write " + EnrolmentTopics.renewResponse(prefix, "+"));
        claimUserById.forEach((claimId, user) -> {
            a.add("user " + user);
            a.add("topic write " + EnrolmentTopics.claimRequest(prefix, claimId));
            a.add("topic read " + prefix + "/provisioning/" + claimId + "/cert/+");
        });
        return a;
    }

    private final MqttAsyncClient client;
    private final String prefix;
    private final UtilityCa ca;
    private volatile UtilityCa signer;
    private final Set<String> claimIds;
    private final Set<String> allowed = ConcurrentHashMap.newKeySet();
    private final Set<String> enrolled = ConcurrentHashMap.newKeySet();
    private final Map<String, X509Certificate> issuedByGateway = new ConcurrentHashMap<>();
    private final BlockingQueue<Object[]> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread worker;
    private volatile Duration validity = Duration.ofDays(30);
    private volatile boolean closed;

    /**
     * Connects and subscribes.
     *
     * @param socketFactory TLS to the broker with the responder's client certificate
     * @param claimIds      the claim ids served
     * @param allowList     gateway ids that may enrol by claim
     */
    public ProvisioningResponder(String url, SocketFactory socketFactory, String prefix, UtilityCa ca,
                                 Set<String> claimIds, Set<String> allowList) throws MqttException {
        this.prefix = prefix;
        this.ca = ca;
        this.signer = ca;
        this.claimIds = Set.copyOf(claimIds);
        this.allowed.addAll(allowList);
        this.client = new MqttAsyncClient(url, "utility-provisioning-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) { LOG.warn("provisioning responder disconnected: {}", r); }
            @Override public void mqttErrorOccurred(MqttException e) { LOG.warn("provisioning responder: {}", e.toString()); }
            @Override public void messageArrived(String topic, MqttMessage m) { inbox.offer(new Object[] {topic, m.getPayload()}); }
            @Override public void deliveryComplete(IMqttToken token) { }
            @Override public void connectComplete(boolean reconnect, String serverURI) { }
            @Override public void authPacketArrived(int reasonCode, MqttProperties properties) { }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setSocketFactory(socketFactory);
        o.setHttpsHostnameVerificationEnabled(true);
        client.connect(o).waitForCompletion(30_000);
        client.subscribe(new MqttSubscription[] {new MqttSubscription(prefix + "/provisioning/+/csr", 1),
                new MqttSubscription(EnrolmentTopics.renewRequest(prefix, "+"), 1)}).waitForCompletion(30_000);
        worker = new Thread(this::work, "utility-provisioning");
        worker.setDaemon(true);
        worker.start();
    }

    /** Validity of the certificates issued from now on (default 30 days); back-dated by a minute for clock skew. */
    public ProvisioningResponder validity(Duration d) { this.validity = d; return this; }

    /**
     * Signs from now on with {@code other} instead of the utility CA (fault injection: a certificate
     * the broker will refuse); {@code null} goes back to the utility CA.
     */
    public ProvisioningResponder signWith(UtilityCa other) { this.signer = other == null ? ca : other; return this; }

    /** Adds gateway ids that may enrol by claim. */
    public void allow(String gatewayId) { allowed.add(gatewayId); }

    public long issued() { return issued.get(); }

    public long refused() { return refused.get(); }

    /** The last certificate issued to {@code gatewayId}. */
    public Optional<X509Certificate> issuedTo(String gatewayId) { return Optional.ofNullable(issuedByGateway.get(gatewayId)); }

    public UtilityCa ca() { return ca; }

    private void work() {
        while (!closed) {
            Object[] m;
            try {
                m = inbox.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (m == null) continue;
            try {
                handle((String) m[0], (byte[]) m[1]);
            } catch (MqttException | RuntimeException e) {
                LOG.warn("provisioning request on {} not answered: {}", m[0], e.toString());
            }
        }
    }

    private void handle(String topic, byte[] payload) throws MqttException {
        String[] levels = topic.substring(prefix.length() + 1).split("/");
        // provisioning/<claim>/csr or provisioning/renew/<gw>/csr
        boolean renewal = levels.length == 4 && "renew".equals(levels[1]);
        Optional<EnrolmentMessages.Request> req = EnrolmentMessages.parseRequest(payload);
        if (req.isEmpty() || !ID.matcher(req.get().gatewayId()).matches()) {
            refused.incrementAndGet();
            LOG.warn("malformed provisioning request on {}", topic);
            return;
        }
        String gw = req.get().gatewayId();
        String answerTopic = renewal ? EnrolmentTopics.renewResponse(prefix, levels[2])
                : EnrolmentTopics.claimResponse(prefix, levels[1], gw);
        String refusal = null;
        if (renewal) {
            if (!levels[2].equals(gw)) refusal = "the request names " + gw + " on the topic of " + levels[2];
            else if (!enrolled.contains(gw)) refusal = gw + " has not enrolled";
        } else if (!claimIds.contains(levels[1])) {
            refusal = "unknown claim " + levels[1];
        } else if (enrolled.contains(gw)) {
            refusal = gw + " has already enrolled; renew with its own certificate";
        } else if (gw.startsWith("claim-")) {
            refusal = "gateway ids starting with claim- are reserved for claim credentials";
        } else if (!allowed.contains(gw)) {
            refusal = gw + " is not on the allow-list";
        }
        if (refusal != null) {
            answer(answerTopic, EnrolmentMessages.refusal(gw, req.get().requestId(), "not_allowed", refusal));
            refused.incrementAndGet();
            LOG.info("provisioning refused: {}", refusal);
            return;
        }
        try {
            Instant now = Instant.now();
            X509Certificate cert = signer.sign(req.get().csrPem(), gw, now.minusSeconds(60), now.plus(validity));
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            enrolled.add(gw);
            issuedByGateway.put(gw, cert);
            issued.incrementAndGet();
            answer(answerTopic, EnrolmentMessages.certificate(gw, req.get().requestId(), pem));
            LOG.info("issued a certificate to {} ({}), serial {}", gw, renewal ? "renewal" : "claim", cert.getSerialNumber());
        } catch (UtilityCa.CsrRefused e) {
            refused.incrementAndGet();
            answer(answerTopic, EnrolmentMessages.refusal(gw, req.get().requestId(), "bad_csr", e.getMessage()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(String topic, byte[] body) throws MqttException {
        client.publish(topic, new MqttMessage(body, 1, false, null)).waitForCompletion(30_000);
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            if (client.isConnected()) client.disconnect(2000).waitForCompletion(3000);
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("responder close: {}", e.toString());
        }
    }
}
