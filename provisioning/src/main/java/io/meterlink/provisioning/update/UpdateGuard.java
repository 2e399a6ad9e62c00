package io.meterlink.provisioning.update;

import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The health check of a freshly updated gateway (docs/fleet.md). Started once the process told systemd
 * {@code READY=1}: when {@link Releases#pending} names the running release, the gateway must deliver its
 * status ({@code healthy}: the uplink connected, which publishes the status first) within {@code bound};
 * then the update is confirmed. Otherwise {@code current} goes back to the previous release, the reason
 * is written to {@code releases/failed}, and {@code restart} stops the process so that systemd starts the
 * previous release. A release that does not even get here (crashes, hangs before {@code READY=1}) is
 * rolled back by the launcher at its next start ({@code pending.started}). Either outcome is raised as an
 * alarm by the release that runs afterwards: {@code update_rolled_back:<version>}.
 */
public final class UpdateGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateGuard.class);
    public static final String ALARM = io.meterlink.core.api.alarm.Alarm.Kind.UPDATE_ROLLED_BACK.code();
    private final Thread thread;

    private UpdateGuard(Thread thread) {
        this.thread = thread;
    }

    /** Raises the alarm of a rolled-back update and, when an update is on trial, watches it on a daemon thread. */
    public static UpdateGuard start(Releases releases, BooleanSupplier healthy, Duration bound, Runnable restart, Consumer<io.meterlink.core.api.alarm.Alarm> alarm) {
        Optional<Releases.Pending> pending = releases.pending();
        Map<String, String> failed = releases.failed();
        if (!failed.isEmpty() && pending.isEmpty()) { // a release on trial supersedes an earlier failure
            alarm.accept(new io.meterlink.core.api.alarm.Alarm(io.meterlink.core.api.alarm.Alarm.Kind.UPDATE_ROLLED_BACK, failed.getOrDefault("version", "?")));
            LOG.warn("The update to {} was rolled back: {}", failed.get("version"), failed.getOrDefault("reason", "(no reason recorded)"));
        }
        if (pending.isEmpty()) return new UpdateGuard(null);
        Releases.Pending p = pending.get();
        LOG.info("Release {} is on trial: it must deliver a status within {} s, else {} comes back", p.version(), bound.toSeconds(), p.previous());
        Thread t = new Thread(() -> watch(releases, p, healthy, bound, restart), "meterlink-update-guard");
        t.setDaemon(true);
        t.start();
        return new UpdateGuard(t);
    }

    private static void watch(Releases releases, Releases.Pending p, BooleanSupplier healthy, Duration bound, Runnable restart) {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (healthy.getAsBoolean()) {
                    releases.confirm(p);
                    LOG.info("Release {} is healthy (status delivered): update confirmed", p.version());
                    return;
                }
                Thread.sleep(250);
            }
            releases.rollback(p, "no status delivered within " + bound.toSeconds() + " s");
            LOG.error("Release {} delivered no status within {} s: rolled back to {}; restarting", p.version(), bound.toSeconds(), p.previous());
            restart.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProvisioningException e) {
            LOG.error("The update of {} could not be settled: {}", p.version(), e.getMessage());
        }
    }

    /** True while an update is being watched. */
    public boolean watching() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        if (thread != null) thread.interrupt();
    }
}
