package io.meterlink.provisioning.enrol;

import io.meterlink.core.config.UplinkConfig;
import io.meterlink.provisioning.enrol.EnrolmentException.Reason;
import io.meterlink.provisioning.identity.CertificateInstaller;
import io.meterlink.provisioning.identity.DeviceIdentity;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.InstalledCertificate;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.ProvisioningException.Kind;
import io.meterlink.provisioning.secret.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Gets this gateway a certificate from the utility's provisioning service over MQTT, without anyone
 * typing a secret:
 * <ul>
 *   <li>{@link #enrol}: with the shared claim credential, publish the CSR to
 *       {@code <prefix>/provisioning/<claim>/csr}, receive the certificate on
 *       {@code …/<claim>/cert/<gw>}, check and install it ({@link CertificateInstaller});</li>
 *   <li>{@link #renew}: the same with the gateway's own certificate on
 *       {@code <prefix>/provisioning/renew/<gw>/…}; the new certificate is first tried against the broker
 *       (a probe connection), then installed with the old one kept as {@code gateway.pem.prev}
 *       ({@link #rollback} restores it).</li>
 * </ul>
 * The key pair never changes: a renewal certifies the same key (re-keying is {@code provision init
 * --force} and a new enrolment). Thread-safe: calls are serialised.
 */
public final class EnrolmentService {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentService.class);
    private static final String NEW_SUFFIX = ".new";

    private final IdentityStore identities;
    private final CertificateInstaller installer;
    private final SecureRandom random = new SecureRandom();
    private final Object progressLock = new Object();
    private CompletableFuture<InstalledCertificate> last;

    public EnrolmentService(IdentityStore identities, Clock clock) {
        this.identities = identities;
        this.installer = new CertificateInstaller(identities, clock);
    }

    private StateDir dir() { return identities.stateDir(); }

    /**
     * Starts {@link #enrol} on a new daemon thread and returns at once (for the technician endpoint's
     * "start enrolment" resource). The future completes with the installed certificate, or
     * exceptionally with a {@link ProvisioningException} ({@link EnrolmentException} for network and
     * refusals).
     */
    public CompletableFuture<InstalledCertificate> start(ClaimConfig claim) {
        CompletableFuture<InstalledCertificate> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(enrol(claim));
            } catch (ProvisioningException | RuntimeException e) {
                f.completeExceptionally(e);
            } catch (InterruptedException e) {
                f.completeExceptionally(e);
            }
        }, "meterlink-enrol");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /**
     * For the technician endpoint's {@code POST /enrol}: starts an enrolment unless one is running and
     * returns a short state without secrets: {@code started}, {@code running}, or the outcome of the
     * previous one ({@code installed, valid until …} / {@code failed: …}) followed by {@code ; started}.
     */
    public String startOrReport(ClaimConfig claim) {
        synchronized (progressLock) {
            if (last != null && !last.isDone()) return "running";
            String before = "";
            if (last != null) {
                try {
                    before = "installed, valid until " + last.getNow(null).notAfter() + "; ";
                } catch (RuntimeException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    before = "failed: " + cause.getMessage() + "; ";
                }
            }
            last = start(claim);
            return before + "started";
        }
    }

    /** Enrols by claim (blocking, at most about {@code claim.timeout()} plus the connect time); see the class comment. */
    public synchronized InstalledCertificate enrol(ClaimConfig claim) throws ProvisioningException, InterruptedException {
        DeviceIdentity me = identities.load();
        String prefix = claim.broker().topicPrefix();
        String requestId = requestId();
        byte[] request = EnrolmentMessages.request(me.gatewayId(), requestId, me.csrPem());
        LOG.info("Enrolling gateway {} by claim {} at {}", me.gatewayId(), claim.claimId(), claim.broker().url());
        String pem = exchange(claim.broker(), me.gatewayId() + "-enrol", Optional.empty(), claim.timeout(),
                EnrolmentTopics.claimRequest(prefix, claim.claimId()), request,
                EnrolmentTopics.claimResponse(prefix, claim.claimId(), me.gatewayId()), requestId, me.gatewayId());
        Path anchors = claim.issuerCaFile().orElseGet(() -> Files.exists(dir().caFile()) ? dir().caFile() : claim.broker().caFile().orElseThrow());
        InstalledCertificate installed = install(pem, anchors);
        LOG.info("Gateway {} enrolled: certificate valid until {}", me.gatewayId(), installed.notAfter());
        return installed;
    }

    /**
     * Renews the installed certificate over the gateway's own authenticated session ({@code broker} is
     * the running configuration's uplink section). The new certificate is installed only after a probe
     * connection with it succeeded; the old one is kept as {@code gateway.pem.prev}.
     */
    public synchronized InstalledCertificate renew(UplinkConfig broker, Duration timeout) throws ProvisioningException, InterruptedException {
        DeviceIdentity me = identities.load();
        String prefix = broker.topicPrefix();
        String requestId = requestId();
        byte[] request = EnrolmentMessages.request(me.gatewayId(), requestId, me.csrPem());
        LOG.info("Renewing the certificate of gateway {}", me.gatewayId());
        String pem = exchange(broker, me.gatewayId() + "-renew", Optional.empty(), timeout,
                EnrolmentTopics.renewRequest(prefix, me.gatewayId()), request,
                EnrolmentTopics.renewResponse(prefix, me.gatewayId()), requestId, me.gatewayId());
        Path candidate = writeCandidate(pem);
        try {
            // keep the old certificate until the new one works: try it against the broker first
            try (MqttExchange probe = new MqttExchange(broker, me.gatewayId() + "-probe", Optional.of(candidate),
                    broker.keyFile(), timeout)) {
                LOG.debug("probe connection with the renewed certificate succeeded");
            } catch (EnrolmentException e) {
                throw new EnrolmentException(Reason.NEW_CERTIFICATE_REFUSED,
                        "the renewed certificate does not work against the broker; the current one stays: " + e.getMessage(), e);
            }
            Path anchors = Files.exists(dir().caFile()) ? dir().caFile() : broker.caFile().orElseThrow();
            InstalledCertificate installed = installer.install(candidate, Optional.empty(), Optional.of(anchors));
            LOG.info("Gateway {}: renewed certificate installed, valid until {} (previous kept as {}{})", me.gatewayId(),
                    installed.notAfter(), installed.file(), SecureFiles.PREVIOUS);
            return installed;
        } finally {
            deleteQuietly(candidate);
        }
    }

    /** Puts {@code gateway.pem.prev} back as the installed certificate; false when there is none. */
    public synchronized boolean rollback() throws ProvisioningException {
        Path cert = dir().certificateFile();
        Path prev = cert.resolveSibling(cert.getFileName() + SecureFiles.PREVIOUS);
        if (!Files.exists(prev)) return false;
        try {
            Files.move(prev, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SecureFiles.fsyncDirectory(cert.getParent());
        } catch (IOException e) {
            throw new ProvisioningException(Kind.STORAGE, "cannot restore " + prev, e);
        }
        LOG.warn("Restored the previous certificate {}", cert);
        return true;
    }

    private String exchange(UplinkConfig broker, String clientId, Optional<Path> certFile, Duration timeout,
                            String requestTopic, byte[] request, String answerTopic, String requestId, String gatewayId)
            throws EnrolmentException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (MqttExchange x = new MqttExchange(broker, clientId, certFile, Optional.empty(), timeout)) {
            x.send(requestTopic, request, answerTopic);
            while (true) {
                Optional<EnrolmentMessages.Answer> a = EnrolmentMessages.parseAnswer(x.next(deadline));
                if (a.isEmpty() || !a.get().requestId().equals(requestId) || !a.get().gatewayId().equals(gatewayId)) {
                    continue; // not ours (an old retained answer, another request)
                }
                if (!a.get().issued()) {
                    throw new EnrolmentException(Reason.REFUSED_BY_SERVICE, "the provisioning service refused: "
                            + a.get().reason() + (a.get().message().isEmpty() ? "" : " (" + a.get().message() + ")"), null);
                }
                return a.get().certificatePem().orElseThrow();
            }
        }
    }

    private InstalledCertificate install(String pem, Path anchors) throws ProvisioningException {
        Path candidate = writeCandidate(pem);
        try {
            return installer.install(candidate, Optional.empty(), Optional.of(anchors));
        } finally {
            deleteQuietly(candidate);
        }
    }

    private Path writeCandidate(String pem) throws ProvisioningException {
        SecureFiles.privateDirectory(dir().root());
        SecureFiles.privateDirectory(dir().tlsDir());
        Path candidate = dir().certificateFile().resolveSibling(dir().certificateFile().getFileName() + NEW_SUFFIX);
        SecureFiles.replace(candidate, pem.getBytes(StandardCharsets.US_ASCII), false);
        return candidate;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    private String requestId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
