package io.meterlink.provisioning.enrol;

import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.InstalledCertificate;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code meterlink run --claim-config F}: when the configuration names a client certificate that is
 * not installed yet, enrol by claim before the gateway starts, trying again (5 s, doubling up to
 * 1 min) until it works or the thread is interrupted. On a first boot with no identity at all it
 * makes the key pair first (as {@code provision init} would, without printing the technician secret).
 * Stateless apart from its arguments.
 */
public final class EnrolOnStart {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolOnStart.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);

    private EnrolOnStart() {
    }

    /** True when {@code config}'s uplink needs a client certificate that is missing. */
    public static boolean needed(GatewayConfig config) {
        return config.uplink().certFile().filter(f -> !Files.exists(f)).isPresent();
    }

    /** Enrols when {@link #needed}; returns the installed certificate, or empty when none was needed. */
    public static Optional<InstalledCertificate> ensure(GatewayConfig config, ClaimConfig claim, Clock clock) throws InterruptedException {
        if (!needed(config)) return Optional.empty();
        Path expected = config.uplink().certFile().orElseThrow();
        StateDir dir = new StateDir(config.stateDir());
        if (!expected.equals(dir.certificateFile())) {
            LOG.warn("The configuration's certificate {} is not the state directory's {}; enrolling into the latter", expected, dir.certificateFile());
        }
        IdentityStore identities = new IdentityStore(dir, new SecureRandom());
        EnrolmentService service = new EnrolmentService(identities, clock);
        Duration wait = FIRST_RETRY;
        while (true) {
            try {
                if (!identities.exists()) {
                    // zero touch: a first boot from an image has no key yet; make it here, never on the image
                    identities.init(config.gatewayId(), false);
                    LOG.info("First start without an identity: created the key pair of {} (technician secret in {})",
                            config.gatewayId(), dir.technicianSecretFile());
                }
                return Optional.of(service.enrol(claim));
            } catch (ProvisioningException e) {
                LOG.warn("Enrolment failed (trying again in {} s): {}", wait.toSeconds(), e.getMessage());
            }
            Thread.sleep(wait.toMillis());
            wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
        }
    }
}
