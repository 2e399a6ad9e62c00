package io.meterlink.provisioning.command;

import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.runtime.GatewayExtension;
import io.meterlink.core.runtime.GatewayRuntime;
import io.meterlink.core.runtime.UplinkService;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.enrol.CertificateRenewal;
import io.meterlink.provisioning.enrol.EnrolmentService;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.StateDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/**
 * What provisioning adds to a running gateway that has an identity in its state directory: the MQTT
 * commands ({@link CommandDispatcher}, only over a TLS uplink) and certificate renewal ({@link CertificateRenewal}, when the
 * uplink uses a client certificate). {@link #close()} stops both. Thread-safe.
 */
public final class GatewayProvisioning implements GatewayExtension {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayProvisioning.class);
    /** Default interval of the renewal check. */
    public static final Duration CHECK_EVERY = Duration.ofHours(1);
    /** Default bound of a bundle's uplink trial: no accepted connection by then, and it is rolled back. */
    public static final Duration TRIAL_BOUND = Duration.ofMinutes(5);

    private final CommandDispatcher commands;
    private final CertificateRenewal renewal;
    private final FleetOperations operations;

    private GatewayProvisioning(CommandDispatcher commands, CertificateRenewal renewal, FleetOperations operations) {
        this.commands = commands;
        this.renewal = renewal;
        this.operations = operations;
    }

    /**
     * Attaches to {@code gateway}; does nothing (returns an inert instance) when its state directory
     * holds no identity or its uplink takes no commands.
     *
     * @param checkEvery how often the certificate's age is checked ({@link #CHECK_EVERY} in production)
     */
    public static GatewayProvisioning attach(GatewayRuntime gateway, DriverRegistry drivers, Clock clock, Duration checkEvery) {
        return attach(gateway, drivers, clock, checkEvery, TRIAL_BOUND);
    }

    /** As {@link #attach(GatewayRuntime, DriverRegistry, Clock, Duration)}; {@code trialBound} bounds a bundle's uplink trial. */
    public static GatewayProvisioning attach(GatewayRuntime gateway, DriverRegistry drivers, Clock clock, Duration checkEvery, Duration trialBound) {
        StateDir dir = new StateDir(gateway.config().stateDir());
        IdentityStore identities = new IdentityStore(dir, new SecureRandom());
        UplinkService uplink = gateway.uplink();
        if (!identities.exists() || uplink == null) {
            LOG.info("No provisioning identity in {}: MQTT commands and certificate renewal are off", dir.root());
            return new GatewayProvisioning(null, null, null);
        }
        CommandDispatcher commands = null;
        FleetOperations operations = null;
        if (gateway.config().uplink().isTls()) {
            BundleService bundles = new BundleService(dir, identities, drivers, clock);
            commands = new CommandDispatcher(bundles);
            LiveConfig live = runsFromBundles(gateway, dir) ? new LiveConfig(gateway, drivers) : null;
            if (live != null) {
                commands.live(live);
            } else {
                LOG.info("The gateway runs {}, not the bundles' configuration {}: applied bundles take effect at the next restart",
                        gateway.config().source(), dir.configFile());
            }
            commands.signedCommands(new SignedCommands(dir, gateway.config().gatewayId()));
            operations = new FleetOperations(gateway);
            operations.register(commands);
            new UpdateOperations(io.meterlink.provisioning.update.Releases.of(gateway.config().stateDir()), gateway, dir.caFile())
                    .register(commands);
            UplinkTrials trials = new UplinkTrials(bundles, drivers, uplink, trialBound, gateway.alarms(), commands.worker());
            commands.trials(trials);
            if (live != null) trials.onRollback(back -> {
                try {
                    live.apply(back.configFile());
                } catch (Exception e) { // NOPMD: the rollback stands; the sources follow at the next restart
                    LOG.error("The rolled-back configuration could not be applied live: {}", e.getClass().getSimpleName());
                }
            });
            trials.resume();
            try {
                uplink.commands(commands);
            } catch (UnsupportedOperationException e) {
                commands.close();
                commands = null;
                operations.close();
                operations = null;
            }
        } else {
            LOG.warn("The uplink is not TLS (allow_insecure): MQTT commands are off");
        }
        CertificateRenewal renewal = null;
        if (gateway.config().uplink().certFile().filter(f -> f.equals(dir.certificateFile())).isPresent()) {
            renewal = new CertificateRenewal(new EnrolmentService(identities, clock), dir, gateway.config().uplink(), uplink,
                    gateway.alarms(), clock, checkEvery, Duration.ofSeconds(60)).start();
        }
        return new GatewayProvisioning(commands, renewal, operations);
    }

    /** True when the running configuration is the state directory's bundle configuration (directly or through a link to it). */
    private static boolean runsFromBundles(GatewayRuntime gateway, StateDir dir) {
        java.nio.file.Path source = gateway.config().source();
        try {
            return source != null && java.nio.file.Files.exists(dir.configFile())
                    && java.nio.file.Files.isSameFile(source, dir.configFile());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (renewal != null) renewal.close();
        if (commands != null) commands.close();
        if (operations != null) operations.close();
    }
}
