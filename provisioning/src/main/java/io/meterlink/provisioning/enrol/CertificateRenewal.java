package io.meterlink.provisioning.enrol;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.runtime.UplinkService;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renews the gateway's certificate while it runs: checks every {@code checkEvery} whether two thirds
 * of the installed certificate's life have passed; then {@link EnrolmentService#renew} (the new
 * certificate is probed against the broker before it is installed) and asks the uplink to reconnect
 * with it. If the broker then refuses the new certificate, the previous one is restored and the
 * uplink reconnects with it. Readings keep going into the buffer throughout; the uplink resends
 * everything unacknowledged after each reconnect. A failed renewal raises the alarm
 * {@code certificate_renewal_failed} and is tried again at the next check. One daemon thread; thread-safe.
 */
public final class CertificateRenewal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    /** Status alarm while the last renewal attempt failed. */
    public static final Alarm ALARM = Alarm.of(Alarm.Kind.CERTIFICATE_RENEWAL_FAILED);

    private final EnrolmentService service;
    private final StateDir dir;
    private final UplinkConfig broker;
    private final UplinkService uplink;
    private final Alarms alarms;
    private final Clock clock;
    private final Duration checkEvery;
    private final Duration timeout;
    private final ScheduledExecutorService timer;

    /**
     * @param broker     the running configuration's uplink section (its cert/key files are the installed ones)
     * @param checkEvery how often the certificate's age is checked (default in {@code run}: 1 h)
     * @param timeout    how long to wait for the provisioning service and for the switch-over
     */
    public CertificateRenewal(EnrolmentService service, StateDir dir, UplinkConfig broker, UplinkService uplink,
                              Alarms alarms, Clock clock, Duration checkEvery, Duration timeout) {
        this.service = service;
        this.dir = dir;
        this.broker = broker;
        this.uplink = uplink;
        this.alarms = alarms;
        this.clock = clock;
        this.checkEvery = checkEvery;
        this.timeout = timeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meterlink-renewal");
            t.setDaemon(true);
            return t;
        });
    }

    /** When a certificate is due for renewal: two thirds into its validity. */
    public static Instant renewAt(X509Certificate c) {
        Instant from = c.getNotBefore().toInstant();
        Duration life = Duration.between(from, c.getNotAfter().toInstant());
        return from.plus(life.multipliedBy(2).dividedBy(3));
    }

    /** Starts the periodic check (first one after {@code checkEvery}/10, at most a minute). */
    public CertificateRenewal start() {
        long first = Math.min(checkEvery.toMillis() / 10, 60_000);
        timer.scheduleWithFixedDelay(this::checkQuietly, first, checkEvery.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Certificate renewal check failed", e);
            alarms.raise(ALARM);
        }
    }

    /** One check; renews when due. Returns true when a new certificate is in use. */
    boolean check() throws InterruptedException {
        X509Certificate current = installed();
        if (current == null || clock.instant().isBefore(renewAt(current))) return false;
        try {
            long reconnectsBefore = uplink.stats().reconnects();
            service.renew(broker, timeout);
            uplink.reconnect();
            if (awaitSwitch(reconnectsBefore)) {
                alarms.clear(ALARM);
                return true;
            }
            if (uplink.credentialsRefused()) {
                LOG.error("The broker refuses the renewed certificate; restoring the previous one");
                if (service.rollback()) uplink.reconnect();
                alarms.raise(ALARM);
                return false;
            }
            // not refused, not yet connected (broker away?): the probe showed the new one works; keep it
            alarms.clear(ALARM);
            return true;
        } catch (ProvisioningException e) {
            LOG.warn("Certificate renewal failed (will try again in {}): {}", checkEvery, e.getMessage());
            alarms.raise(ALARM);
            return false;
        }
    }

    private boolean awaitSwitch(long reconnectsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (uplink.stats().reconnects() > reconnectsBefore && uplink.stats().connected()) return true;
            if (uplink.credentialsRefused()) return false;
            Thread.sleep(100);
        }
        return false;
    }

    private X509Certificate installed() {
        Path f = dir.certificateFile();
        try {
            List<X509Certificate> certs = Pem.certificates(Files.readString(f, StandardCharsets.US_ASCII));
            return certs.isEmpty() ? null : certs.get(0);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
