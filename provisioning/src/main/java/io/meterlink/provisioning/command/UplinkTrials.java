package io.meterlink.provisioning.command;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.runtime.UplinkService;
import io.meterlink.core.uplink.TrialListener;
import io.meterlink.provisioning.bundle.ApplyResult;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Turns an applied bundle that changes the broker URL or CA into a trial on the running uplink: the
 * uplink connects with the new settings and keeps them once the broker accepts (CONNACK success);
 * otherwise, after {@code bound}, it returns to the settings before, the bundle is rolled back
 * ({@link BundleService#rollback}, the version stays burnt: it cannot be sent again) and the alarm
 * {@link #ALARM} is raised. Either outcome is reported as a {@code cmd-reply} event. One trial at a
 * time. Thread-safe.
 */
final class UplinkTrials {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkTrials.class);
    /** Raised when a trial was rolled back; cleared by the next accepted trial. */
    static final Alarm ALARM = Alarm.of(Alarm.Kind.BUNDLE_TRIAL_FAILED);

    private final BundleService bundles;
    private final DriverRegistry drivers;
    private final UplinkService uplink;
    private final Duration bound;
    private final Alarms alarms;
    private final Executor worker;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile Consumer<ApplyResult> onRollback = back -> { };

    UplinkTrials(BundleService bundles, DriverRegistry drivers, UplinkService uplink, Duration bound, Alarms alarms, Executor worker) {
        this.bundles = bundles;
        this.drivers = drivers;
        this.uplink = uplink;
        this.bound = bound;
        this.alarms = alarms;
        this.worker = worker;
    }

    boolean pending() { return pending.get(); }

    /** Called with the configuration made active again after a rolled-back trial (the live gateway follows it). */
    void onRollback(Consumer<ApplyResult> c) { this.onRollback = c; }

    Duration bound() { return bound; }

    /** Marks a trial as running from now on (before its reply is sent), so no other bundle slips in. */
    void reserve() {
        if (!pending.compareAndSet(false, true)) throw new IllegalStateException("a trial is already running");
    }

    /**
     * Starts the trial of {@code applied} (after {@link #reserve}); {@code report} gets the outcome event
     * (built on {@code template}). When the uplink refuses the settings at once, the bundle is rolled
     * back and that is the reported outcome.
     */
    void start(ApplyResult applied, ObjectNode template, Consumer<ObjectNode> report) {
        try {
            bundles.markTrial(applied.version());
            var next = ConfigLoader.load(applied.configFile(), drivers).uplink();
            uplink.trial(next, bound, new TrialListener() {
                @Override public void accepted(String url) {
                    worker.execute(() -> finish(applied, template, report, true, url, null));
                }

                @Override public void rolledBack(String url, String why) {
                    worker.execute(() -> finish(applied, template, report, false, url, why));
                }
            });
        } catch (ConfigException | ProvisioningException | RuntimeException e) {
            finish(applied, template, report, false, "(new settings)", "unusable: " + e.getClass().getSimpleName());
        }
    }

    /**
     * After a restart during a trial ({@code bundles/trial} names the active version): the gateway runs on
     * the trial's settings, so it is watched again for {@code bound}. A connection accepted by then keeps
     * them; otherwise the bundle is rolled back, the alarm raised, and the uplink switched to the
     * previous generation's settings. Returns at once; the watch runs on its own daemon thread.
     */
    void resume() {
        java.util.OptionalLong v;
        try {
            v = bundles.pendingTrial();
        } catch (ProvisioningException e) {
            LOG.warn("Cannot read the trial marker: {}", e.getMessage());
            return;
        }
        if (v.isEmpty()) return;
        long version = v.getAsLong();
        pending.set(true);
        LOG.info("Bundle version {} was on trial at the last stop: watching the uplink for {} s", version, bound.toSeconds());
        Thread t = new Thread(() -> watchResumed(version), "meterlink-bundle-trial");
        t.setDaemon(true);
        t.start();
    }

    private void watchResumed(long version) {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (uplink.stats().connected()) {
                    bundles.clearTrial();
                    alarms.clear(ALARM);
                    LOG.info("Bundle version {}: trial accepted after the restart", version);
                    return;
                }
                Thread.sleep(250);
            }
            ApplyResult back = bundles.rollback();
            bundles.clearTrial();
            onRollback.accept(back);
            alarms.raise(ALARM);
            var previous = ConfigLoader.load(back.configFile(), drivers).uplink();
            LOG.warn("Bundle version {}: no accepted connection within {} s after the restart; rolled back to version {}",
                    version, bound.toSeconds(), back.version());
            // the previous settings for good (a bound no gateway outlives): they were working before the trial
            uplink.trial(previous, Duration.ofDays(36_500), new TrialListener() {
                @Override public void accepted(String url) { LOG.info("Back on {} after the rolled-back trial", url); }

                @Override public void rolledBack(String url, String why) { LOG.warn("Cannot go back to {}: {}", url, why); }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProvisioningException | ConfigException | RuntimeException e) {
            LOG.error("Bundle version {}: the trial after the restart could not be finished: {}", version, e.getMessage());
        } finally {
            pending.set(false);
        }
    }

    private void finish(ApplyResult applied, ObjectNode template, Consumer<ObjectNode> report, boolean accepted, String url, String why) {
        ObjectNode r = template.deepCopy();
        r.put("event", "trial");
        r.put("version", applied.version());
        try {
            if (accepted) {
                bundles.clearTrial();
                alarms.clear(ALARM);
                r.put("ok", true);
                r.put("trial", "accepted");
                r.put("message", "the broker " + url + " accepted the new settings; they are kept");
                LOG.info("Bundle version {}: trial accepted by {}", applied.version(), url);
            } else {
                String message = "the broker " + url + " did not accept a connection within " + bound.toSeconds() + " s (" + why + ")";
                try {
                    ApplyResult back = bundles.rollback();
                    bundles.clearTrial();
                    onRollback.accept(back);
                    r.put("rolled_back_to", back.version());
                    message += "; rolled back to version " + back.version();
                } catch (ProvisioningException e) {
                    message += "; the configuration could not be rolled back: " + e.getMessage();
                }
                alarms.raise(ALARM);
                r.put("ok", false);
                r.put("trial", "rolled_back");
                r.put("error", "trial_rolled_back");
                r.put("message", message);
                LOG.warn("Bundle version {}: {}", applied.version(), message);
            }
            report.accept(r);
        } finally {
            pending.set(false);
        }
    }
}
