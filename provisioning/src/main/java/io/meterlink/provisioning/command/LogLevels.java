package io.meterlink.provisioning.command;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A temporary log level for the running process ({@code log-level} command): the loggers under a prefix
 * (default {@code io.meterlink}) log at the new level until it reverts on its own after at most
 * {@link #MAX}. Works with slf4j-simple, the gateway's binding, whose loggers keep their level in a
 * field set at creation (it has no API to change it); any other binding is reported as
 * {@code unsupported}. Loggers created while a level is raised keep the configured level. Thread-safe.
 */
final class LogLevels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogLevels.class);
    /** Longest a temporary level lasts. */
    static final Duration MAX = Duration.ofHours(1);
    /** slf4j-simple's level numbers (LocationAwareLogger). */
    private static final Map<String, Integer> LEVELS = Map.of("trace", 0, "debug", 10, "info", 20, "warn", 30, "error", 40);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meterlink-log-level");
        t.setDaemon(true);
        return t;
    });
    /** Levels before the change, by logger name, while one is active. */
    private final Map<Logger, Integer> saved = new HashMap<>();
    private ScheduledFuture<?> revert;

    static boolean known(String level) { return LEVELS.containsKey(level.toLowerCase(Locale.ROOT)); }

    /**
     * Sets {@code level} on the loggers under {@code prefix} for {@code duration} (at most {@link #MAX}),
     * reverting a level set before first. Returns how many loggers changed.
     */
    synchronized int set(String prefix, String level, Duration duration) throws CommandRefusedException {
        Integer n = LEVELS.get(level.toLowerCase(Locale.ROOT));
        if (n == null) throw new CommandRefusedException("bad_arguments", "level must be one of trace, debug, info, warn, error");
        revertNow();
        Map<String, Logger> loggers = loggers();
        int changed = 0;
        for (Map.Entry<String, Logger> e : loggers.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            Integer before = get(e.getValue());
            if (before == null) continue;
            saved.put(e.getValue(), before);
            put(e.getValue(), n);
            changed++;
        }
        Duration d = duration.compareTo(MAX) > 0 ? MAX : duration;
        revert = timer.schedule(this::expire, d.toMillis(), TimeUnit.MILLISECONDS);
        return changed;
    }

    private synchronized void expire() {
        revertNow();
        LOG.info("Temporary log level reverted");
    }

    /** Puts every changed logger back to its level before; idempotent. */
    synchronized void revertNow() {
        if (revert != null) revert.cancel(false);
        revert = null;
        saved.forEach(LogLevels::put);
        saved.clear();
    }

    /** True while a temporary level is in force. */
    synchronized boolean active() { return !saved.isEmpty(); }

    @SuppressWarnings("unchecked")
    private static Map<String, Logger> loggers() throws CommandRefusedException {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        try {
            Field m = f.getClass().getDeclaredField("loggerMap");
            m.setAccessible(true);
            return new HashMap<>((Map<String, Logger>) m.get(f));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CommandRefusedException("unsupported", "the logging binding " + f.getClass().getSimpleName() + " cannot change levels at run time");
        }
    }

    private static Integer get(Logger l) {
        try {
            Field f = level(l);
            return f == null ? null : f.getInt(l);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void put(Logger l, int level) {
        try {
            Field f = level(l);
            if (f != null) f.setInt(l, level);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a logger of another kind: left as it is
        }
    }

    private static Field level(Logger l) throws NoSuchFieldException {
        for (Class<?> c = l.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("currentLogLevel");
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        return null;
    }

    @Override
    public void close() {
        revertNow();
        timer.shutdownNow();
    }
}
