package io.meterlink.provisioning.command;

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
    static final String ALARM = "bundle_trial_failed";

    /** Where outcomes go besides the reply (the gateway's alarms). */
    interface Alarms {
        void raise(String alarm);

        void clear(String alarm);
    }

    private final BundleService bundles;
    private final DriverRegistry drivers;
    private final UplinkService uplink;
    private final Duration bound;
    private final Alarms alarms;
    private final Executor worker;
    private final AtomicBoolean pending = new AtomicBoolean();

    UplinkTrials(BundleService bundles, DriverRegistry drivers, UplinkService uplink, Duration bound, Alarms alarms, Executor worker) {
        this.bundles = bundles;
        this.drivers = drivers;
        this.uplink = uplink;
        this.bound = bound;
        this.alarms = alarms;
        this.worker = worker;
    }

    boolean pending() { return pending.get(); }

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
            var next = ConfigLoader.load(applied.configFile(), drivers).uplink();
            uplink.trial(next, bound, new TrialListener() {
                @Override public void accepted(String url) {
                    worker.execute(() -> finish(applied, template, report, true, url, null));
                }

                @Override public void rolledBack(String url, String why) {
                    worker.execute(() -> finish(applied, template, report, false, url, why));
                }
            });
        } catch (ConfigException | RuntimeException e) {
            finish(applied, template, report, false, "(new settings)", "unusable: " + e.getClass().getSimpleName());
        }
    }

    private void finish(ApplyResult applied, ObjectNode template, Consumer<ObjectNode> report, boolean accepted, String url, String why) {
        ObjectNode r = template.deepCopy();
        r.put("event", "trial");
        r.put("version", applied.version());
        try {
            if (accepted) {
                alarms.clear(ALARM);
                r.put("ok", true);
                r.put("trial", "accepted");
                r.put("message", "the broker " + url + " accepted the new settings; they are kept");
                LOG.info("Bundle version {}: trial accepted by {}", applied.version(), url);
            } else {
                String message = "the broker " + url + " did not accept a connection within " + bound.toSeconds() + " s (" + why + ")";
                try {
                    ApplyResult back = bundles.rollback();
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
