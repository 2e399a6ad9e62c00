package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import io.meterlink.core.runtime.SdNotify;
import io.meterlink.core.runtime.ServiceWatchdog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.meterlink.provisioning.command.GatewayProvisioning;
import io.meterlink.provisioning.enrol.ClaimConfig;
import io.meterlink.provisioning.enrol.EnrolOnStart;
import io.meterlink.provisioning.tech.GatewayTechnician;
import io.meterlink.provisioning.tech.TechnicianAccess;
import io.meterlink.provisioning.update.Releases;
import io.meterlink.provisioning.update.UpdateGuard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code meterlink run --config F}: validate, start, run until SIGTERM/SIGINT, close cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the gateway until SIGTERM or SIGINT, then flush the buffer and close cleanly (exit 0).",
                "The configuration is validated first (errors: exit 2); a failure to start or run exits 3."})
final class RunCommand implements Callable<Integer> {
    private final Services services;
    @Spec CommandSpec spec;
    @Mixin ConfigFileOption configFile;
    @Option(names = "--claim-config", paramLabel = "FILE",
            description = "enrol by claim first when the configured client certificate is not installed yet (e.g. /etc/meterlink/claim.yaml); "
                    + "once the certificate is installed, a missing file is fine")
    Path claimConfig;
    @Option(names = "--bundle-trial-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long a bundle that changes the broker URL or CA may try to connect before it is rolled back (default: ${DEFAULT-VALUE})")
    int trialSeconds;
    @Option(names = "--update-health-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "how long a freshly updated release may take to deliver its status before the previous release comes back (default: ${DEFAULT-VALUE})")
    int updateHealthSeconds;
    /**
     * Before a downgrade by hand (docs/storage.md, "Migration"): with this release's jar, convert the
     * buffer back to the layout older releases read, then exit, starting nothing.
     */
    @Option(names = "--rollback-buffer",
            description = "before a downgrade by hand: convert the buffer to the layout older releases read (a row per reading), then exit")
    boolean rollbackBuffer;
    /** Owner the {@code provision open} trigger must have: root. Tests only. */
    @Option(names = "--tech-trigger-uid", hidden = true, defaultValue = "0")
    int techTriggerUid = TechnicianAccess.ROOT_UID;

    RunCommand(Services services) { this.services = services; }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }

    /**
     * The buffer back in the layout of schema 2, which every release from schema 2 on reads (one of
     * schema 3 packs it again at its open): the release that packed it is the one that can unpack it.
     * False when that failed.
     */
    private boolean convertBufferForOlderRelease(GatewayConfig cfg) {
        try {
            if (io.meterlink.core.buffer.SqliteBuffer.convertForOlderRelease(cfg.buffer(), Clock.systemUTC())) {
                spec.commandLine().getErr().println("meterlink: buffer " + cfg.buffer().path() + " converted for an older release");
            }
            return true;
        } catch (io.meterlink.core.buffer.BufferException e) {
            spec.commandLine().getErr().println("meterlink: the buffer could not be converted for an older release: " + e.getMessage());
            return false;
        } finally {
            spec.commandLine().getErr().flush();
        }
    }

    /** Set when the gateway asked for its own restart (remote {@code restart}, an update). */
    private volatile String restartReason;

    /** Null after a stop request; the gateway's failure when it cannot go on (storage beyond recovery). */
    private GatewayException awaitStopOrFatal(Gateway gateway) throws InterruptedException {
        java.util.concurrent.CompletableFuture<GatewayException> stop = new java.util.concurrent.CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                services.awaitStopRequest();
                stop.complete(null);
            } catch (InterruptedException e) {
                stop.complete(null);
            }
        }, "stop-request");
        waiter.setDaemon(true);
        waiter.start();
        gateway.fatal().thenAccept(stop::complete);
        gateway.restartRequested().thenAccept(why -> {
            restartReason = why;
            stop.complete(null);
        });
        try {
            return stop.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        } finally {
            waiter.interrupt();
        }
    }

    @Override public Integer call() {
        GatewayConfig cfg = configFile.load(services, spec);
        if (cfg == null) return Main.USAGE;
        if (rollbackBuffer) {
            return convertBufferForOlderRelease(cfg) ? Main.OK : Main.FAILURE;
        }
        if (trialSeconds < 1 || trialSeconds > 86_400) {
            spec.commandLine().getErr().println("meterlink: --bundle-trial-timeout must be 1 to 86400 seconds");
            spec.commandLine().getErr().flush();
            return Main.USAGE;
        }
        ClaimConfig claim = null;
        // a gateway provisioned by hand has its certificate and no claim file: nothing to enrol, nothing to read
        if (claimConfig != null && (Files.exists(claimConfig) || EnrolOnStart.needed(cfg))) {
            try {
                claim = ClaimConfig.load(claimConfig);
            } catch (ConfigException e) {
                return ConfigErrors.print(e, spec.commandLine().getErr());
            }
        }
        SdNotify notify = SdNotify.fromEnvironment(System.getenv());
        if (claim != null && EnrolOnStart.needed(cfg)) {
            try (StartExtender extender = StartExtender.start(notify, "enrolling by claim " + claim.claimId())) {
                EnrolOnStart.ensure(cfg, claim, Clock.systemUTC());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.FAILURE;
            }
        }
        Gateway gateway;
        try {
            gateway = services.start(cfg);
        } catch (GatewayException e) {
            notify.send("STATUS=failed to start: " + e.getMessage().replaceAll("[\\r\\n]+", " "));
            spec.commandLine().getErr().println("meterlink: " + e.getMessage());
            spec.commandLine().getErr().flush();
            // buffer.path names a key, a log, another program's database: a configuration error, no restart loop
            return causedBy(e, io.meterlink.core.buffer.NotABufferException.class) ? Main.USAGE : Main.FAILURE;
        }
        gateway.closeOnShutdown(); // any other way the JVM ends still flushes the buffer
        // the parts built on the running gateway; it closes them first
        Optional<ClaimConfig> claimed = Optional.ofNullable(claim);
        gateway.extend(List.of(
                runtime -> GatewayProvisioning.attach(runtime, services.drivers(), Clock.systemUTC(),
                        services.renewalCheckInterval(), java.time.Duration.ofSeconds(trialSeconds)),
                runtime -> GatewayTechnician.attach(runtime, services.drivers(), claimed,
                        techTriggerUid, Clock.systemUTC())));
        // READY=1 now: the buffer is open and the drivers run; then the watchdog pings (docs/packaging.md, "Watchdog")
        ServiceWatchdog watchdog = ServiceWatchdog.start(gateway, notify,
                SdNotify.watchdogInterval(System.getenv(), ProcessHandle.current().pid()));
        // after READY=1: a release on trial must now deliver its status (docs/fleet.md)
        UpdateGuard updateGuard = UpdateGuard.start(Releases.of(cfg.stateDir()),
                () -> gateway.uplink() != null && gateway.uplink().stats().connected(),
                java.time.Duration.ofSeconds(Math.max(1, updateHealthSeconds)),
                () -> gateway.requestRestart("update health check failed"), gateway::raiseAlarm);
        GatewayException fatal = null;
        try {
            fatal = awaitStopOrFatal(gateway);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            updateGuard.close();
            watchdog.close(); // STOPPING=1 before the (possibly slow) flush and close
            gateway.close(); // the technician endpoint and provisioning first
            notify.close();
        }
        if (fatal != null) {
            spec.commandLine().getErr().println("meterlink: " + fatal.getMessage());
            spec.commandLine().getErr().flush();
            return Main.FAILURE; // 3: systemd restarts the service (Restart=always)
        }
        if (restartReason != null) {
            spec.commandLine().getErr().println("meterlink: stopped for a restart (" + restartReason + "); exit " + Main.RESTART);
            spec.commandLine().getErr().flush();
            return Main.RESTART; // systemd starts the service again (Restart=always, RestartForceExitStatus=75)
        }
        return Main.OK;
    }
}
