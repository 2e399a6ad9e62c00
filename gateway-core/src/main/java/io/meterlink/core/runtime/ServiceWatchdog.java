package io.meterlink.core.runtime;

import io.meterlink.core.status.StatusSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells systemd how the running gateway is ({@code Type=notify}, docs/packaging.md, "Watchdog"): {@code READY=1}
 * when started (the buffer is open and the drivers run), then every tick {@code WATCHDOG=1} while
 * every watched loop makes progress ({@link Gateway#stuckLoops()}), a one-line {@code STATUS=}, and
 * {@code STOPPING=1} when closed. While a loop is stuck it sends no pings (and logs the loop once), so
 * systemd restarts the service after {@code WatchdogSec=}.
 *
 * <p>The tick is half the watchdog interval ({@code WATCHDOG_USEC}), or 30 s without a watchdog (then
 * only {@code STATUS=} and the log); the liveness window becomes half the interval when that is
 * shorter than {@link Liveness#DEFAULT_WINDOW}. Runs its own daemon thread; thread-safe.
 */
public final class ServiceWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceWatchdog.class);
    static final Duration STATUS_ONLY_TICK = Duration.ofSeconds(30);
    private static final int MAX_STATUS = 200;

    private final Gateway gateway;
    private final SdNotify notify;
    private final boolean watchdog;
    private final long tickMillis;
    private final Thread thread;
    private volatile boolean closed;
    private String lastStuck = "";

    private ServiceWatchdog(Gateway gateway, SdNotify notify, Optional<Duration> interval) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.notify = Objects.requireNonNull(notify, "notify");
        this.watchdog = interval.isPresent();
        Duration tick = interval.map(d -> d.dividedBy(2)).orElse(STATUS_ONLY_TICK);
        this.tickMillis = Math.max(200, tick.toMillis());
        interval.ifPresent(d -> {
            Duration half = d.dividedBy(2);
            if (half.compareTo(Liveness.DEFAULT_WINDOW) < 0) gateway.liveness().window(half);
        });
        this.thread = new Thread(this::run, "meterlink-watchdog");
        this.thread.setDaemon(true);
    }

    /**
     * Sends {@code READY=1} for a started gateway and starts the ticks.
     *
     * @param interval the systemd watchdog interval, empty when there is no watchdog
     */
    public static ServiceWatchdog start(Gateway gateway, SdNotify notify, Optional<Duration> interval) {
        ServiceWatchdog w = new ServiceWatchdog(gateway, notify, interval);
        w.notify.send("READY=1\nSTATUS=" + statusLine(gateway.status(), List.of()));
        LOG.info("Watching loops {} (window {} s){}", gateway.liveness().watched(), gateway.liveness().window().toSeconds(),
                interval.map(d -> "; systemd watchdog every " + d.toMillis() + " ms").orElse(""));
        w.thread.start();
        return w;
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            tick();
        }
    }

    /** One round: check the loops, then ping (when all make progress) and tell the status. */
    void tick() {
        List<Liveness.Stuck> stuck;
        String status;
        try {
            stuck = gateway.stuckLoops();
            status = statusLine(gateway.status(), stuck);
        } catch (RuntimeException e) {
            LOG.warn("Watchdog check failed: {}", e.toString());
            return; // no ping: a gateway that cannot say how it is, is not known to be well
        }
        String stuckNames = stuck.toString();
        if (!stuckNames.equals(lastStuck)) {
            if (stuck.isEmpty()) LOG.info("Every loop makes progress again");
            else LOG.error("Stuck: {}; watchdog pings stop, systemd restarts the service", stuck);
            lastStuck = stuckNames;
        }
        notify.send((stuck.isEmpty() && watchdog ? "WATCHDOG=1\n" : "") + "STATUS=" + status);
    }

    /** One line of health for {@code systemctl status}: the stuck loops first, then uplink, buffer, meters. */
    static String statusLine(StatusSnapshot s, List<Liveness.Stuck> stuck) {
        StringBuilder b = new StringBuilder();
        if (!stuck.isEmpty()) b.append("STUCK ").append(stuck).append("; ");
        b.append(s.uplink().connected() ? "uplink connected" : "uplink offline");
        if (!s.uplink().connected() && s.uplink().lastError() != null) b.append(" (").append(s.uplink().lastError()).append(')');
        b.append(", buffer ").append(s.buffer().depth()).append(" unsent");
        if (s.buffer().depth() > 0) b.append(" (oldest ").append(s.buffer().oldestUnsentAgeMs() / 1000).append(" s)");
        b.append(", ").append(s.metersHeard()).append(" meters heard, ").append(s.metersStale().size()).append(" stale");
        if (!s.alarms().isEmpty()) b.append(", alarms ").append(s.alarms());
        String line = b.toString().replaceAll("[\\r\\n]+", " ");
        return line.length() > MAX_STATUS ? line.substring(0, MAX_STATUS - 1) + "…" : line;
    }

    /** Sends {@code STOPPING=1} and stops the ticks; idempotent. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        thread.interrupt();
        notify.send("STOPPING=1\nSTATUS=stopping: flushing the buffer");
    }
}
