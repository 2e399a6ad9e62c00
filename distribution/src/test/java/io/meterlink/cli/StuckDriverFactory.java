package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test driver {@code stuck-test} (for {@link WatchdogIT}, loaded by the real jar from the test
 * classes): its loop beats every 100 ms until the file {@code trigger} exists, then blocks without
 * beating, as a driver stuck in a read that never returns.
 */
public final class StuckDriverFactory implements DriverFactory {
    private static final ConfigKey<Optional<Path>> TRIGGER = ConfigKey.path("trigger", "the file that makes the driver hang");

    @Override public String type() { return "stuck-test"; }

    @Override public DriverSpec configure(Settings s) {
        Path trigger = s.get(TRIGGER).orElse(null);
        if (trigger == null) s.error("trigger", "required");
        s.finish();
        return trigger == null ? null : context -> new StuckDriver(context, trigger);
    }

    private static final class StuckDriver implements Driver {
        private final DriverContext context;
        private final Path trigger;
        private final Thread thread;

        StuckDriver(DriverContext context, Path trigger) {
            this.context = context;
            this.trigger = trigger;
            this.thread = new Thread(this::loop, "stuck-test-" + context.sourceName());
            this.thread.setDaemon(true);
        }

        private void loop() {
            try {
                while (!Files.exists(trigger)) {
                    context.heartbeat().beat();
                    Thread.sleep(100);
                }
                Thread.sleep(Long.MAX_VALUE); // stuck: no more beats
            } catch (InterruptedException e) {
                context.heartbeat().stop();
            }
        }

        @Override public void start() { thread.start(); }

        @Override public void close() { thread.interrupt(); }
    }
}
