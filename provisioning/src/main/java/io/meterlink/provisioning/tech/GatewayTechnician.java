package io.meterlink.provisioning.tech;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.status.CertificateExpiry;
import io.meterlink.core.runtime.GatewayExtension;
import io.meterlink.core.runtime.GatewayRuntime;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.enrol.ClaimConfig;
import io.meterlink.provisioning.enrol.EnrolmentService;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.TechnicianSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The technician endpoint of {@code meterlink run}: wires {@link TechnicianAccess} to a running
 * gateway with the real hooks — status from {@link GatewayRuntime#status()} and the client certificate's
 * expiry, meters from the health registry and the latest values seen on the gateway's sink, bundles
 * through {@link BundleService}, enrolment through {@link EnrolmentService#startOrReport} with the
 * claim configuration given to {@code run}, "read a meter now" through {@link GatewayRuntime#readNow}
 * ({@link GatewayMeterReader}). {@link #close()} unbinds the socket and stops the signal watchers.
 * Thread-safe.
 */
public final class GatewayTechnician implements GatewayExtension {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayTechnician.class);
    /** Meters whose latest values are kept for {@code GET /meters}. */
    static final int RECENT_METERS = 1024;

    private final TechnicianAccess access;
    private final Context pi4j;

    private GatewayTechnician(TechnicianAccess access, Context pi4j) {
        this.access = access;
        this.pi4j = pi4j;
    }

    /**
     * Starts the (closed) endpoint for {@code gateway} as its {@code technician_endpoint} section says;
     * returns an inert instance when the section disables it or the state directory holds no technician
     * secret yet ({@code meterlink provision init}).
     *
     * @param claim      the claim configuration for {@code POST /enrol}; empty: that resource answers 5.03
     * @param triggerUid owner the {@code provision open} trigger must have: {@link TechnicianAccess#ROOT_UID} on a gateway
     */
    public static GatewayTechnician attach(GatewayRuntime gateway, DriverRegistry drivers, Optional<ClaimConfig> claim,
                                           int triggerUid, Clock clock) {
        Objects.requireNonNull(claim, "claim");
        TechnicianSettings settings = TechnicianSection.of(gateway.config());
        if (!settings.enabled()) {
            LOG.info("Technician endpoint disabled (technician_endpoint.enabled: false)");
            return new GatewayTechnician(null, null);
        }
        StateDir dir = new StateDir(gateway.config().stateDir());
        IdentityStore identities = new IdentityStore(dir, new SecureRandom());
        TechnicianPsk psk;
        try {
            TechnicianSecret secret = identities.technicianSecret();
            psk = TechnicianPsk.of(settings.endpoint().pskIdentity(), secret);
        } catch (ProvisioningException e) {
            if (e.kind() == ProvisioningException.Kind.NOT_INITIALISED) {
                LOG.info("No technician secret in {} ('meterlink provision init' makes one): technician endpoint off", dir.root());
            } else {
                LOG.error("Technician endpoint off: {}", e.getMessage());
            }
            return new GatewayTechnician(null, null);
        }
        TechnicianAccess access = TechnicianAccess.start(settings.endpoint(), psk,
                services(gateway, drivers, claim, dir, identities, clock), dir.root(), triggerUid, clock);
        Context pi4j = null;
        if (settings.buttonPin().isPresent()) {
            int pin = settings.buttonPin().getAsInt();
            try {
                pi4j = Pi4J.newAutoContext();
                access.withButton(pi4j, pin, settings.buttonActiveLow());
                LOG.info("Service button on BCM pin {} opens the technician endpoint", pin);
            } catch (RuntimeException e) {
                // no GPIO on this machine, or no Pi4J platform plugin: 'provision open' still works
                LOG.error("Service button on BCM pin {} unavailable: {}", pin, e.toString());
                if (pi4j != null) shutdown(pi4j);
                pi4j = null;
            }
        }
        return new GatewayTechnician(access, pi4j);
    }

    static TechServices services(GatewayRuntime gateway, DriverRegistry drivers, Optional<ClaimConfig> claim, StateDir dir,
                                 IdentityStore identities, Clock clock) {
        RecentReadings recent = new RecentReadings(RECENT_METERS);
        gateway.observeReadings(recent::record);
        Optional<CertificateExpiry> certificate = gateway.config().uplink().certFile().map(CertificateExpiry::new);
        TechServices.Builder b = TechServices.builder()
                .status(gateway::status)
                .certificate(() -> certificate.map(CertificateExpiry::notAfter))
                .meters(new HealthMeters(gateway.health(), recent))
                .bundles(new BundleServiceApplier(new BundleService(dir, identities, drivers, clock)));
        if (claim.isPresent()) {
            EnrolmentService enrolment = new EnrolmentService(identities, clock);
            ClaimConfig c = claim.get();
            b.enrolment(() -> enrolment.startOrReport(c));
        } else {
            b.enrolment(() -> {
                throw new TechRequestException(TechRequestException.Kind.UNAVAILABLE,
                        "no claim configuration: the gateway runs without --claim-config");
            });
        }
        b.reader(new GatewayMeterReader(gateway::readNow));
        return b.build();
    }

    /** The endpoint, when running. */
    public Optional<TechnicianEndpoint> endpoint() {
        return Optional.ofNullable(access).map(TechnicianAccess::endpoint);
    }

    @Override public void close() {
        if (access != null) access.close();
        if (pi4j != null) shutdown(pi4j);
    }

    private static void shutdown(Context pi4j) {
        try {
            pi4j.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("Pi4J shutdown failed: {}", e.toString());
        }
    }

}
